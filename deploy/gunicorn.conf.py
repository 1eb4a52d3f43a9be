"""gunicorn for the portal behind nginx (deploy/nginx/): `gunicorn -c deploy/gunicorn.conf.py
config.wsgi:application`. nginx buffers every request and answer, so sync workers only
ever wait on nginx, never on a visitor's connection."""

# nginx's upstream in deploy/nginx/portal.conf; only nginx on this host can connect.
bind = "127.0.0.1:8000"
# Two sync workers served best on two cores (README "Speed"); about two per core.
workers = 2
worker_class = "sync"

# A worker silent this long is killed; nginx's proxy_read_timeout is a little longer.
timeout = 30
# On a restart, a request already being served has this long to finish.
graceful_timeout = 30
# Each worker is replaced after 10,000 to 15,000 requests, so that memory cannot creep up
# (it stays flat under the load test). The wide jitter keeps the two from restarting
# together: with a small one they did, and pages waited a second for a worker to boot.
max_requests = 10_000
max_requests_jitter = 5_000

# X-Forwarded-Proto is believed from nginx alone, and it is the only header that says
# HTTPS: nginx sets it on every request, but passes any other the client sent.
forwarded_allow_ips = "127.0.0.1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# As long a request line as nginx accepts (its 8 KB header buffers), so that nginx is the
# one that refuses a longer one; as many header fields as gunicorn's default.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
