"""What the service tells its operator, at the edge: one logging setup for every logger of the
process (log_setup), the request id each line carries (request_ids), what no line may hold
(redaction), and the access line with the request's measures (edge). The metrics themselves are
infrastructure's (infrastructure.observability), wired by the composition root."""
