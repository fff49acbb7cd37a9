from mestring.core.testing.matrix import Route, expect

ROUTES = [
    # A logged-in user is sent on from the login page.
    Route("accounts:login", expect(302, anonymous=200)),
    # Logout and switching take POST only.
    Route("accounts:logout", expect(405, anonymous=405)),
    Route("accounts:switch", expect(405)),
    # Personas in the matrix are already verified; the verify page still shows the form.
    Route("accounts:otp_verify", expect(200)),
    # Demo personas have a confirmed device, so setup sends them to verify.
    Route("accounts:otp_setup", expect(302)),
    Route("api-me", expect(200, anonymous=403)),
]
