from collections.abc import Awaitable, Callable

from litestar import Controller, Response, get
from litestar.di import NamedDependency

from web.dto import StatusOut
from web.errors import error_response
from web.openapi import failures


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/", summary="Liveness: the process answers (no database)")
    async def live(self) -> StatusOut:
        return StatusOut("ok")

    @get("/ready", summary="Readiness: the database answers", responses=failures("not_ready"))
    async def ready(
        self, ping_database: NamedDependency[Callable[[], Awaitable[None]]]
    ) -> Response[StatusOut]:
        try:
            await ping_database()
        except Exception:  # any failure to reach the database means "not ready"
            return error_response(503, "not_ready", "The database does not answer.")
        return Response(StatusOut("ok"))
