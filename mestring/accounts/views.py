from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from mestring.accounts import services
from mestring.accounts.forms import LoginForm, OTPForm, PasswordResetRequestForm
from mestring.accounts.middleware import SESSION_KEY
from mestring.accounts.selectors import memberships_of
from mestring.accounts.staff import password_set_link

# Reset requests per client address per hour (on top of the per-account limit in the service).
PASSWORD_RESET_MAX_PER_IP = 10
PASSWORD_RESET_IP_WINDOW_SECONDS = 60 * 60


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """A user sets a password through an e-mailed link: the welcome e-mail, "Send ny lenke" from an
    administrator, or "Glemt passord?" (all Django's reset tokens). The user is not logged in afterwards
    (`post_reset_login` stays False), so the next login asks for the password and the TOTP code."""

    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("accounts:password_set_done")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_set_by_link(user=form.user)
        return response


def _reset_allowed_from(request: HttpRequest) -> bool:
    """At most PASSWORD_RESET_MAX_PER_IP requests per client address and hour (a simple fixed window)."""
    key = f"accounts:password-reset:{get_client_ip_address(request) or 'unknown'}"
    cache.add(key, 0, PASSWORD_RESET_IP_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, PASSWORD_RESET_IP_WINDOW_SECONDS)
        count = 1
    return count <= PASSWORD_RESET_MAX_PER_IP


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """The "Glemt passord?" page: ask for a username or e-mail address. The answer is the same whether or
    not an account exists, whether a mail went out or a limit held it back (no account enumeration)."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _reset_allowed_from(request):
            services.password_reset_request(
                identifier=form.cleaned_data["identifier"],
                build_link=lambda user: password_set_link(request, user),
            )
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")


class PasswordSetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_set_done.html"


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("membership")
    for membership in memberships_of(request.user):  # type: ignore[arg-type]
        if str(membership.pk) == wanted:
            request.session[SESSION_KEY] = membership.pk
            messages.success(request, _("Du handler nå som %(m)s.") % {"m": membership})
            return redirect("core:home")
    messages.error(request, _("Du er ikke medlem av den organisasjonen."))
    return redirect("core:home")


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(f"/konto/tofaktor/oppsett/?next={_safe_next(request)}")
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("For mange feil forsøk. Vent noen sekunder og prøv igjen."))
        elif device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_safe_next(request))
        else:
            form.add_error("token", _("Koden stemmer ikke, eller den er utløpt. Prøv den neste koden."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("accounts:otp_verify")
    device = services.totp_device_for_setup(user=request.user)  # type: ignore[arg-type]
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            services.totp_device_confirm(device=device)
            otp_login(request, device)
            messages.success(request, _("Tofaktor er satt opp."))
            return redirect(_safe_next(request))
        form.add_error("token", _("Koden stemmer ikke. Sjekk at klokken på telefonen går riktig."))
    return render(
        request,
        "accounts/otp_setup.html",
        {"form": form, "qr_svg": services.totp_qr_svg(device), "next": _safe_next(request)},
    )
