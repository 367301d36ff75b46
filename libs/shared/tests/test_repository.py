"""`ReadModel` gives a read model exactly the columns each service used to write by hand."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.repository import ReadModel


class Base(DeclarativeBase):
    metadata = MetaData()


class ByHand(Base):
    __tablename__ = "by_hand"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WithMixin(ReadModel, Base):
    __tablename__ = "with_mixin"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)


def test_the_mixin_yields_the_same_columns_as_written_by_hand() -> None:
    def described(model: type[Base], name: str) -> tuple[object, ...]:
        column = model.__table__.c[name]
        default = column.default.arg if column.default is not None else None
        return (repr(column.type), column.nullable, default, column.server_default, column.index, column.primary_key)

    for name in ("deleted", "version"):
        assert described(WithMixin, name) == described(ByHand, name), name
    assert WithMixin.__table__.c.version.type.timezone  # type: ignore[attr-defined]
