"""Role names seeded by migration 0002; code refers to them through these constants."""

ADMIN = "administrador"
TECHNICIAN = "tecnico"
FARMER = "agricultor"
AGENT = "agente"
OWNER = ADMIN  # the user who opens a workspace administers it
