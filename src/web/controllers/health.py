from collections.abc import Awaitable, Callable

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency

from web.dto import StatusOut
from web.errors import error_response
from web.openapi import failures
from web.serving.server import DRAINING


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/", summary="Liveness: the process answers (no database)")
    async def live(self) -> StatusOut:
        return StatusOut("ok")

    @get(
        "/ready",
        summary="Readiness: the database answers and its schema is migrated",
        responses=failures("not_ready"),
    )
    async def ready(
        self, request: Request, schema_problem: NamedDependency[Callable[[], Awaitable[str | None]]]
    ) -> Response[StatusOut]:
        if request.scope.get(DRAINING):  # shutting down: a load balancer stops sending it requests
            return error_response(503, "not_ready", "The server is shutting down.")
        try:
            problem = await schema_problem()
        except Exception:  # any failure to reach the database means "not ready"
            problem = "The database does not answer."
        if problem:
            return error_response(503, "not_ready", problem)
        return Response(StatusOut("ok"))
