from pydantic import BaseModel, ConfigDict, Field


class CountryRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "GB",
                    "name": "United Kingdom",
                    "official_name": "United Kingdom of Great Britain and Northern Ireland",
                    "alpha3": "GBR",
                    "numeric_code": "826",
                }
            ]
        }
    )

    code: str = Field(description="ISO 3166-1 alpha-2, or EU for the European Union")
    name: str
    official_name: str | None
    alpha3: str | None
    numeric_code: str | None
