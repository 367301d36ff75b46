"""The post's event serialised without the event model: the same bytes the model would give
(brain parses them with it, and the message id is their digest). A pure module, no stack."""

from datetime import UTC, datetime

from ingest import events
from ingest.config import Settings
from ingest.node.service import NodeCredential
from ingest.reading.schemas import IngestCreate
from ingest.reading.service import event_data, lecturas_of

NODE = NodeCredential(nodo_id=3, tenant_id=9, parcela_id=7, codigo="NM-ñ-001", daily_limit=None)
NOW = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_the_event_data_is_the_bytes_the_event_model_serialises() -> None:
    body = IngestCreate.model_validate_json("""{
        "codigo_nodo_maestro": "NM-ñ-001", "parcela_id": 7, "timestamp": "2026-03-29T03:15:00+02:00",
        "lecturas": [
            {"nodo_codigo": "N1", "sensores": [
                {"sensor": "humedad_suelo", "valor": 23, "unidad": "%"},
                {"sensor": "temperatura", "valor": 77.5, "unidad": "°F"},
                {"sensor": "radiacion_uv", "valor": -0.0, "unidad": "UVI \\"x\\""},
                {"sensor": "conductividad", "valor": 1e-7, "unidad": "uS/cm"},
                {"sensor": "presion", "valor": 1.7976931348623157e308, "unidad": "hPa"}
            ]},
            {"nodo_codigo": "N2 ☂", "timestamp": "2026-03-28T23:59:59.123456", "sensores": [
                {"sensor": "ph", "valor": 6.5}
            ]}
        ]
    }""")
    lecturas = lecturas_of(body, Settings(), NOW)

    expected = events.ReadingsReceived.model_validate(
        {"parcela_id": NODE.parcela_id, "codigo_nodo_maestro": NODE.codigo, "lecturas": lecturas}
    )
    assert event_data(NODE, lecturas) == expected.model_dump_json().encode()
    assert events.ReadingsReceived.model_validate_json(event_data(NODE, lecturas)) == expected
