from mestring.core.testing.matrix import Route, expect

ROUTES = [
    Route("core:home", expect(200)),
    Route("core:healthz", expect(200, anonymous=200)),
    Route("api-schema", expect(200, anonymous=403)),
]
