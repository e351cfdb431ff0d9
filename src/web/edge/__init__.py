"""The HTTP edge: what every request meets before a controller, and what every answer
carries after it. The request class (request), the CSRF guard (request_guard), HEAD and
CORS preflights (head_and_preflight), who is calling (client), the cookies and their
parameters (cookies), the site check at start (sites), and the HTML-form login (form_login)."""
