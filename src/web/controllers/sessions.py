"""The signed-in user's sessions and security activity: /auth/sessions, /auth/events."""

from typing import Annotated

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import Parameter, PathParameter

from application.use_cases.list_security_events import ListSecurityEvents
from application.use_cases.session_management import SessionManagement
from domain.activity import DEFAULT_EVENTS, MAX_EVENTS
from web.edge.client import client_info
from web.dto import EventOut, EventsOut, OkOut, RevokedOut, SessionOut, SessionsOut
from web.edge.cookies import SidCookie
from web.openapi import failures


class SessionsController(Controller):
    path = "/auth/sessions"
    tags = ["sessions"]

    @get("/", summary="The signed-in user's live sessions, newest first, the current one marked",
         responses=failures("not_authenticated", "not_ready"))
    async def list_sessions(
        self, session_management: NamedDependency[SessionManagement], sid: SidCookie
    ) -> SessionsOut:
        views = await session_management.list(sid)
        return SessionsOut([
            SessionOut(str(v.session.id), v.session.created_at, v.session.last_seen_at,
                       v.session.ip, v.session.user_agent, v.current)
            for v in views
        ])

    @delete("/{session_id:str}", status_code=200,
            summary="End one of the signed-in user's sessions: its sid and refresh token die at once",
            description="Any id that is not one of the caller's live sessions, another user's "
            "included, answers 404 `not_found`.",
            responses=failures("not_authenticated", "not_found", "not_ready"))
    async def end_session(
        self,
        request: Request,
        session_id: Annotated[str, PathParameter(description="A session `id` from GET /auth/sessions")],
        session_management: NamedDependency[SessionManagement],
        sid: SidCookie,
    ) -> OkOut:
        await session_management.end(sid, session_id, client_info(request))
        return OkOut()

    @post("/revoke-others", status_code=200, summary="End every session of the user but this one",
          responses=failures("not_authenticated", "not_ready"))
    async def end_others(
        self, request: Request, session_management: NamedDependency[SessionManagement], sid: SidCookie
    ) -> RevokedOut:
        return RevokedOut(revoked=await session_management.end_others(sid, client_info(request)))


class EventsController(Controller):
    path = "/auth/events"
    tags = ["sessions"]

    @get("/", summary="The signed-in user's security activity, newest first",
         responses=failures("invalid_request", "not_authenticated", "not_ready"))
    async def list_events(
        self,
        list_security_events: NamedDependency[ListSecurityEvents],
        sid: SidCookie,
        limit: Annotated[int, Parameter(ge=1, le=MAX_EVENTS, description="How many, newest first")] = DEFAULT_EVENTS,
    ) -> EventsOut:
        events = await list_security_events.execute(sid, limit)
        return EventsOut([EventOut.of(e) for e in events])
