from fake_eve.limits import ErrorLimiter, RateLimiter

from .helpers import call, login


def test_error_limit_counts_down_and_answers_420(srv):
    srv.error_limiter.configure(limit=3, window=60)
    remains = [
        call(srv, "GET", "/characters/1").headers["X-ESI-Error-Limit-Remain"] for _ in range(3)
    ]
    assert remains == ["2", "1", "0"]
    reply = call(srv, "GET", "/characters/90000001")
    assert reply.status == 420
    assert "exceeded the error limit" in reply.json()["error"]
    assert int(reply.headers["X-ESI-Error-Limit-Reset"]) <= 60


def test_error_limit_window_resets():
    now = [0.0]
    limiter = ErrorLimiter(limit=2, window=60, clock=lambda: now[0])
    limiter.record(500)
    limiter.record(404)
    assert limiter.exhausted()
    now[0] = 61
    assert not limiter.exhausted()
    assert limiter.headers()["X-ESI-Error-Limit-Remain"] == "2"
    limiter.record(304)
    limiter.record(200)
    assert limiter.headers()["X-ESI-Error-Limit-Remain"] == "2"


def test_rate_limit_headers_and_429(srv):
    token = login(srv, 90000001)["access_token"]
    srv.rate_limiter.set_limit("char-wallet", 4, "15m")
    first = call(srv, "GET", "/characters/90000001/wallet", token=token)
    assert first.headers["X-Ratelimit-Group"] == "char-wallet"
    assert first.headers["X-Ratelimit-Limit"] == "4/15m"
    assert first.headers["X-Ratelimit-Used"] == "2"
    assert first.headers["X-Ratelimit-Remaining"] == "2"
    call(srv, "GET", "/characters/90000001/wallet", token=token)
    reply = call(srv, "GET", "/characters/90000001/loyalty/points", token=token)
    assert reply.status == 429 and int(reply.headers["Retry-After"]) > 0
    # other characters have their own bucket
    other = login(srv, 90000002)["access_token"]
    assert call(srv, "GET", "/characters/90000002/wallet", token=other).status == 200


def test_rate_limiter_window():
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    assert limiter.consume("g:1", 2, 4, 60) == 2
    assert limiter.consume("g:1", 2, 4, 60) == 0
    assert limiter.check("g:1", 4, 60) == 60
    now[0] = 61
    assert limiter.check("g:1", 4, 60) is None
