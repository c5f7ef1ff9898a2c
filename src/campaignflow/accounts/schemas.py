from datetime import datetime

from ninja import Field, Schema

from campaignflow.campaigns.schemas import InputSchema


class TokenIn(InputSchema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    name: str = Field("api", max_length=100)


class TokenOut(Schema):
    token: str
    prefix: str


class TokenInfoOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class DepartmentIn(InputSchema):
    name: str = Field(max_length=100)
    code: str = Field("", max_length=30)


class DepartmentOut(Schema):
    id: int
    name: str
    code: str


class UserIn(InputSchema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    department: int | None = None
    roles: list[str] = ["member"]
    email: str = Field("", max_length=254)
    display_name: str = Field("", max_length=100)


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    department: int | None
    roles: list[str]
    is_active: bool

    @staticmethod
    def resolve_department(obj) -> int | None:
        return obj.department_id

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(obj.role_set)

    @staticmethod
    def resolve_display_name(obj) -> str:
        return str(obj)
