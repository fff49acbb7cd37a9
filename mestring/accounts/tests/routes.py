from mestring.core.testing.matrix import Route, expect, only

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
    # An invalid token shows the "link used or expired" page to anyone.
    Route(
        "accounts:password_set",
        expect(200, anonymous=200),
        kwargs=lambda w: {"uidb64": "MQ", "token": "ugyldig-token"},
    ),
    Route("accounts:password_set_done", expect(200, anonymous=200)),
    # "Glemt passord?" is open to anyone (a logged-in user may use it too).
    Route("accounts:password_reset", expect(200, anonymous=200)),
    Route("accounts:password_reset_sent", expect(200, anonymous=200)),
    Route("accounts:staff_list", only({"admin.evje": 200, "planlegger.osterdalen": 200, "drift": 200})),
    Route("accounts:staff_add", only({"admin.evje": 200, "planlegger.osterdalen": 200, "drift": 200})),
    Route(
        "accounts:membership_end",
        # GET shows the confirmation; Østerdalen's planner does not administer Evje's staff.
        only({"admin.evje": 200, "planlegger.osterdalen": 404, "drift": 200}),
        kwargs=lambda w: {"pk": w.user("koordinator.evje").memberships.get().pk},
    ),
    Route(
        "accounts:membership_change",
        # GET shows the form; Østerdalen's planner does not administer Evje's staff.
        only({"admin.evje": 200, "planlegger.osterdalen": 404, "drift": 200}),
        kwargs=lambda w: {"pk": w.user("koordinator.evje").memberships.get().pk},
    ),
    Route(
        "accounts:password_link_send",
        only({"admin.evje": 405, "planlegger.osterdalen": 405, "drift": 405}),
        kwargs=lambda w: {"pk": w.user("koordinator.evje").memberships.get().pk},
    ),
]
