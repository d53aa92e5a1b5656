"""Reference data: countries (ISO 3166-1 alpha-2 plus EU), filled by a migration."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from sanctions_tracker.models.base import Base


class Country(Base):
    __tablename__ = "countries"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    official_name: Mapped[str | None] = mapped_column(String(200))
    alpha3: Mapped[str | None] = mapped_column(String(3))
    numeric_code: Mapped[str | None] = mapped_column(String(3))
