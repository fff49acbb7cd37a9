from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from mestring.accounts.models import Membership
from mestring.accounts.roles import Perm
from mestring.core.forms import apply_errors, message_errors
from mestring.core.permissions import member_required
from mestring.surveys import access, analysis, authoring, engine, exports, services, tasks, xlsform
from mestring.surveys.engine import COLLAB_DIMENSIONS
from mestring.surveys.forms import (
    CrosstabForm,
    InvitationAddressesForm,
    InvitationEmailForm,
    NationalSurveyForm,
    QuestionForm,
    QuestionnaireForm,
    RoundForm,
    SectionForm,
    ThemeForm,
    UnitSurveyForm,
    XLSFormImportForm,
)
from mestring.surveys.models import (
    INVITATION_STATE_LABELS,
    TEXT_TYPES,
    Invitation,
    NationalSurvey,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    SatisfactionSurvey,
    Section,
)

AUTHOR_PERMS = (Perm.SURVEY_UNIT_MANAGE, Perm.SURVEY_NATIONAL_MANAGE)


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _require_any(request: HttpRequest, *perms: str) -> Membership:
    membership = _membership(request)
    if not any(membership.can(p) for p in perms):
        raise PermissionDenied
    return membership


# ---------------------------------------------------------------------------------------------------------
# Overview
# ---------------------------------------------------------------------------------------------------------


@member_required(Perm.AGGREGATE_VIEW)
def home(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    return render(
        request,
        "surveys/home.html",
        {
            "unit_surveys": access.visible_unit_surveys(membership),
            "national_surveys": access.visible_national_surveys(membership)
            if membership.can(Perm.SURVEY_NATIONAL_MANAGE)
            else [],
            "can_author": any(membership.can(p) for p in AUTHOR_PERMS),
            "can_unit": membership.can(Perm.SURVEY_UNIT_MANAGE),
            "can_national": membership.can(Perm.SURVEY_NATIONAL_MANAGE),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Authoring
# ---------------------------------------------------------------------------------------------------------


def _allowed_kinds(membership: Membership) -> list[str]:
    kinds: list[str] = []
    if membership.can(Perm.SURVEY_UNIT_MANAGE):
        kinds.append(Questionnaire.Kind.SATISFACTION)
    if membership.can(Perm.SURVEY_NATIONAL_MANAGE):
        kinds.append(Questionnaire.Kind.NATIONAL)
    return kinds


@member_required()
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    membership = _require_any(request, *AUTHOR_PERMS)
    questionnaires = access.visible_questionnaires(membership).filter(kind__in=_allowed_kinds(membership))
    return render(request, "surveys/questionnaire_list.html", {"questionnaires": questionnaires})


@member_required()
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    membership = _require_any(request, *AUTHOR_PERMS)
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind = _allowed_kinds(membership)[-1]
        try:
            questionnaire = authoring.questionnaire_create(
                owner=membership.organisation, kind=kind, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Skjemaet er opprettet som utkast."))
            return redirect("surveys:questionnaire_detail", slug=questionnaire.slug)
    return render(request, "surveys/form.html", {"form": form, "title": _("Nytt skjema")})


def _questionnaire_version(
    request: HttpRequest, slug: str
) -> tuple[Membership, Questionnaire, QuestionnaireVersion]:
    membership = _require_any(request, *AUTHOR_PERMS)
    questionnaire = access.access_questionnaire(membership, slug)
    raw = request.GET.get("versjon") or request.POST.get("versjon")
    versions = questionnaire.versions.all()
    version = (
        versions.filter(number=int(raw)).first() if raw and raw.isdigit() else questionnaire.latest_version()
    )
    if version is None:
        raise Http404
    return membership, questionnaire, version


@member_required()
def questionnaire_detail(request: HttpRequest, slug: str) -> HttpResponse:
    membership, questionnaire, version = _questionnaire_version(request, slug)
    form = engine.load_form(version)
    may_edit = access.can_edit_questionnaire(membership, questionnaire)
    refusal = authoring.edit_refusal(version) if may_edit and not version.is_locked else ""
    return render(
        request,
        "surveys/questionnaire_detail.html",
        {
            "questionnaire": questionnaire,
            "version": version,
            "versions": questionnaire.versions.order_by("number"),
            "survey_form": form,
            "can_edit": may_edit and not version.is_locked and not refusal,
            "refusal": refusal,
            "can_new_version": may_edit and version.is_locked,
            "problems": authoring.version_problems(version) if not version.is_locked else [],
            "changes": version.changes.all()[:20] if may_edit else [],
        },
    )


def _editable_version(request: HttpRequest, slug: str) -> tuple[Questionnaire, QuestionnaireVersion]:
    membership, questionnaire, version = _questionnaire_version(request, slug)
    if not access.can_edit_questionnaire(membership, questionnaire):
        raise PermissionDenied
    return questionnaire, version


def _detail_url(slug: str, version: QuestionnaireVersion, anchor: str = "") -> str:
    url = f"{reverse('surveys:questionnaire_detail', args=[slug])}?versjon={version.number}"
    return f"{url}#{anchor}" if anchor else url


def _editor(request: HttpRequest, slug: str) -> tuple[Membership, Questionnaire]:
    """The author and the questionnaire they may change: others' are 404, read-only ones 403 (as adding)."""
    membership = _require_any(request, *AUTHOR_PERMS)
    questionnaire = access.access_questionnaire(membership, slug)
    if not access.can_edit_questionnaire(membership, questionnaire):
        raise PermissionDenied
    return membership, questionnaire


def _frozen(request: HttpRequest, slug: str, version: QuestionnaireVersion) -> HttpResponse | None:
    """A redirect with the reason when the version may not change (published, or has answers)."""
    refusal = authoring.edit_refusal(version)
    if not refusal:
        return None
    messages.error(request, refusal)
    return redirect(_detail_url(slug, version))


def _form_page(request: HttpRequest, form: Any, title: str, back_url: str, **extra: Any) -> HttpResponse:
    return render(
        request,
        "surveys/form.html",
        {"form": form, "title": title, "back_url": back_url, **extra},
    )


@member_required()
def section_add(request: HttpRequest, slug: str) -> HttpResponse:
    questionnaire, version = _editable_version(request, slug)
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.section_add(version=version, actor=_membership(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Delen er lagt til."))
            return redirect(_detail_url(slug, version))
    return render(
        request,
        "surveys/form.html",
        {
            "form": form,
            "title": _("Ny del i %(t)s") % {"t": questionnaire.title},
            "back_url": _detail_url(slug, version),
        },
    )


def _spec_from_form(form: QuestionForm) -> authoring.QuestionSpec:
    data = form.cleaned_data
    options: list[Any] = form.parsed_options()
    if data["type"] == QuestionType.SCALE and not options:
        from mestring.surveys.defaults import GRADE_SCALE

        options = list(GRADE_SCALE)
    return authoring.QuestionSpec(
        name=data["name"],
        text=data["text"],
        type=data["type"],
        required=data["required"],
        help_text=data["help_text"],
        options=options,
        items=form.parsed_items(),
        condition_question=(data["condition_question"] or "").strip(),
        condition_values=form.parsed_condition_values(),
        min_value=data["min_value"],
        max_value=data["max_value"],
    )


def _section_choices(version: QuestionnaireVersion) -> list[tuple[int, str]]:
    return list(version.sections.order_by("order", "pk").values_list("pk", "title"))


@member_required()
def question_add(request: HttpRequest, slug: str) -> HttpResponse:
    questionnaire, version = _editable_version(request, slug)
    sections = _section_choices(version)
    if not sections:
        messages.warning(request, _("Legg til en del før du legger til spørsmål."))
        return redirect("surveys:section_add", slug=slug)
    form = QuestionForm(request.POST or None, sections=sections)
    if request.method == "POST" and form.is_valid():
        try:
            question = authoring.question_add(
                version=version,
                section=version.sections.get(pk=int(form.cleaned_data["section"])),
                spec=_spec_from_form(form),
                actor=_membership(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Spørsmålet er lagt til."))
            return redirect(_detail_url(slug, version, f"sporsmal-{question.pk}"))
    return render(
        request,
        "surveys/form.html",
        {
            "form": form,
            "title": _("Nytt spørsmål i %(t)s") % {"t": questionnaire.title},
            "back_url": _detail_url(slug, version),
        },
    )


@member_required()
def question_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership, questionnaire = _editor(request, slug)
    question = access.access_question(questionnaire, pk)
    version = question.version
    if refused := _frozen(request, slug, version):
        return refused
    form = QuestionForm(
        request.POST or None, sections=_section_choices(version), initial=QuestionForm.initial_for(question)
    )
    if request.method == "POST" and form.is_valid():
        try:
            authoring.question_update(
                actor=membership,
                question=question,
                section=version.sections.get(pk=int(form.cleaned_data["section"])),
                spec=_spec_from_form(form),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Spørsmålet er endret."))
            return redirect(_detail_url(slug, version, f"sporsmal-{question.pk}"))
    dependents = authoring.question_dependents(question)
    return _form_page(
        request,
        form,
        _("Endre spørsmålet %(name)s") % {"name": question.name},
        _detail_url(slug, version, f"sporsmal-{question.pk}"),
        intro=_(
            "Vilkårene i disse spørsmålene bygger på dette: %(list)s. Endrer du variabelnavnet, følger "
            "vilkårene med; typen og kodene de bruker må beholdes."
        )
        % {"list": "; ".join(authoring.describe(d) for d in dependents)}
        if dependents
        else "",
    )


@member_required()
def question_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership, questionnaire = _editor(request, slug)
    question = access.access_question(questionnaire, pk)

    def delete() -> str:
        authoring.question_delete(actor=membership, question=question)
        return _("Spørsmålet %(name)s er slettet.") % {"name": question.name}

    return _confirm_delete(
        request,
        slug,
        questionnaire,
        question,
        delete,
        {"question": question, "dependents": authoring.question_dependents(question)},
        anchor=f"sporsmal-{question.pk}",
    )


def _confirm_delete(
    request: HttpRequest,
    slug: str,
    questionnaire: Questionnaire,
    item: Question | Section,
    delete: Callable[[], str],
    context: dict[str, Any],
    *,
    anchor: str,
) -> HttpResponse:
    """The confirmation page (GET); POST deletes and returns to the draft, or shows why it cannot (400)."""
    version = item.version
    if refused := _frozen(request, slug, version):
        return refused
    errors: list[str] = []
    if request.method == "POST":
        try:
            done = delete()
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, done)
            return redirect(_detail_url(slug, version))
    return render(
        request,
        "surveys/confirm_delete.html",
        {
            "questionnaire": questionnaire,
            "version": version,
            **context,
            "errors": errors,
            "back_url": _detail_url(slug, version, anchor),
        },
        status=400 if errors else 200,
    )


DIRECTIONS = {"opp": authoring.UP, "ned": authoring.DOWN}


@member_required()
def question_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership, questionnaire = _editor(request, slug)
    question = access.access_question(questionnaire, pk)
    return _move(
        request,
        slug,
        question,
        lambda direction: authoring.question_move(actor=membership, question=question, direction=direction),
        done=_("Spørsmålet %(name)s er flyttet.") % {"name": question.name},
        anchor=f"sporsmal-{question.pk}",
    )


def _move(
    request: HttpRequest,
    slug: str,
    item: Question | Section,
    move: Callable[[str], object],
    *,
    done: str,
    anchor: str,
) -> HttpResponse:
    """Move a question or section up or down (`retning`: opp / ned), then back to it on the draft page."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if refused := _frozen(request, slug, item.version):
        return refused
    try:
        move(DIRECTIONS.get(request.POST.get("retning", ""), ""))
    except ValidationError as exc:
        message_errors(request, exc)
    else:
        messages.success(request, done)
    return redirect(_detail_url(slug, item.version, anchor))


@member_required()
def section_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership, questionnaire = _editor(request, slug)
    section = access.access_section(questionnaire, pk)
    version = section.version
    if refused := _frozen(request, slug, version):
        return refused
    form = SectionForm(
        request.POST or None, initial={"title": section.title, "description": section.description}
    )
    if request.method == "POST" and form.is_valid():
        try:
            authoring.section_update(actor=membership, section=section, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Delen er endret."))
            return redirect(_detail_url(slug, version, f"del-{section.pk}"))
    return _form_page(
        request,
        form,
        _("Endre delen «%(title)s»") % {"title": section.title},
        _detail_url(slug, version, f"del-{section.pk}"),
    )


@member_required()
def section_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership, questionnaire = _editor(request, slug)
    section = access.access_section(questionnaire, pk)

    def delete() -> str:
        count = authoring.section_delete(actor=membership, section=section)
        return _("Delen «%(title)s» er slettet med %(n)s spørsmål.") % {"title": section.title, "n": count}

    return _confirm_delete(
        request,
        slug,
        questionnaire,
        section,
        delete,
        {
            "section": section,
            "questions": list(section.questions.order_by("order", "pk")),
            "dependents": authoring.section_outside_dependents(section),
        },
        anchor=f"del-{section.pk}",
    )


@member_required()
def section_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership, questionnaire = _editor(request, slug)
    section = access.access_section(questionnaire, pk)
    return _move(
        request,
        slug,
        section,
        lambda direction: authoring.section_move(actor=membership, section=section, direction=direction),
        done=_("Delen «%(title)s» er flyttet.") % {"title": section.title},
        anchor=f"del-{section.pk}",
    )


@member_required()
def version_publish(request: HttpRequest, slug: str) -> HttpResponse:
    _questionnaire, version = _editable_version(request, slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        authoring.version_publish(version=version, actor=_membership(request))
    except ValidationError as exc:
        message_errors(request, exc)
    else:
        messages.success(
            request, _("Versjon %(n)s er publisert og kan ikke lenger endres.") % {"n": version.number}
        )
    return redirect(_detail_url(slug, version))


@member_required()
def version_new(request: HttpRequest, slug: str) -> HttpResponse:
    _questionnaire, version = _editable_version(request, slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        new = authoring.version_new_from(version=version)
    except ValidationError as exc:
        message_errors(request, exc)
        return redirect("surveys:questionnaire_detail", slug=slug)
    messages.success(request, _("Versjon %(n)s er laget som utkast.") % {"n": new.number})
    return redirect(f"{reverse('surveys:questionnaire_detail', args=[slug])}?versjon={new.number}")


@member_required()
def questionnaire_copy(request: HttpRequest, slug: str) -> HttpResponse:
    membership, questionnaire, version = _questionnaire_version(request, slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if questionnaire.kind not in _allowed_kinds(membership):
        raise PermissionDenied
    copy = authoring.questionnaire_copy(version=version, owner=membership.organisation)
    messages.success(request, _("Du har fått en egen kopi som utkast. Endre den og publiser."))
    return redirect("surveys:questionnaire_detail", slug=copy.slug)


@member_required()
def xlsform_export(request: HttpRequest, slug: str) -> HttpResponse:
    _m, questionnaire, version = _questionnaire_version(request, slug)
    response = HttpResponse(xlsform.export_xlsform(version), content_type=exports.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{questionnaire.slug}-v{version.number}.xlsx"'
    return response


@member_required()
def xlsform_import(request: HttpRequest) -> HttpResponse:
    membership = _require_any(request, *AUTHOR_PERMS)
    form = XLSFormImportForm(request.POST or None, request.FILES or None)
    form.fields["kind"].choices = [  # type: ignore[attr-defined]
        (k, label) for k, label in Questionnaire.Kind.choices if k in _allowed_kinds(membership)
    ]
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            imported = xlsform.read_xlsform(form.cleaned_data["file"].read())
            questionnaire = authoring.questionnaire_from_spec(
                spec=imported.spec,
                owner=membership.organisation,
                kind=form.cleaned_data["kind"],
                publish=False,
            )
        except xlsform.XLSFormError as exc:
            problems = exc.problems
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(request, _("Skjemaet er importert som utkast. Se over og publiser."))
            for notice in imported.notices:
                messages.info(request, notice)
            return redirect("surveys:questionnaire_detail", slug=questionnaire.slug)
    return render(request, "surveys/xlsform_import.html", {"form": form, "problems": problems})


# ---------------------------------------------------------------------------------------------------------
# Respondent pages (no login)
# ---------------------------------------------------------------------------------------------------------


def _render_questions(
    form: engine.Form, data: dict[str, Any], errors: dict[str, str]
) -> list[dict[str, Any]]:
    """Sections with questions prepared for the template (current values, errors, shown state)."""
    out = []
    for section in form.sections:
        questions = []
        for q in section.questions:
            value = data.get(q.name)
            entry: dict[str, Any] = {
                "q": q,
                "id": q.input_id(),
                "value": value,
                "error": errors.get(q.name, ""),
                "hidden": not engine.is_shown(q, data, form),
                "condition_values": ",".join(q.condition_values),
                "options": [
                    {
                        "value": o.value,
                        "label": o.label,
                        "checked": (o.value in value) if isinstance(value, list) else o.value == value,
                        "id": q.input_id(o.value),
                    }
                    for o in q.options
                ],
            }
            if q.type == QuestionType.MATRIX:
                answers = value if isinstance(value, dict) else {}
                entry["rows"] = [
                    {
                        "item": item,
                        "label": label,
                        "field": f"{q.input_id()}-{item}",
                        "options": [
                            {
                                "value": o.value,
                                "label": o.label,
                                "checked": answers.get(item) == o.value,
                                "id": q.input_id(item, o.value),
                            }
                            for o in q.options
                        ],
                    }
                    for item, label in q.items
                ]
            if q.type == QuestionType.COLLABORATION:
                grid = value if isinstance(value, dict) else {}
                entry["dimensions"] = [label for _d, label, _o in COLLAB_DIMENSIONS]
                entry["rows"] = [
                    {
                        "label": label,
                        "cells": [
                            {
                                "field": f"{q.input_id()}-{partner}-{dimension}",
                                "dimension": dim_label,
                                "label": f"{label}: {dim_label}",
                                "options": [
                                    {
                                        "value": v,
                                        "label": lab,
                                        "selected": (grid.get(partner) or {}).get(dimension) == v,
                                    }
                                    for v, lab in engine.collab_options(dimension)
                                ],
                            }
                            for dimension, dim_label, _o in COLLAB_DIMENSIONS
                        ],
                    }
                    for partner, label in q.items
                ]
            questions.append(entry)
        out.append({"title": section.title, "description": section.description, "questions": questions})
    return out


def _invitation(token: str) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    return (
        Invitation.objects.select_related("survey__version__questionnaire", "survey__owner")
        .filter(token=token)
        .first()
    )


# Respondent pages are never stored by the browser (Cache-Control: no-store): on a shared tablet the Back
# button must not bring back the previous person's answers from the back/forward cache, and a link opened
# while a survey was closed must work again once it is reopened instead of showing a cached 410.
@never_cache
def respond(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    if invitation is None:
        return render(request, "surveys/respond_message.html", {"kind": "unknown"}, status=404)
    survey = invitation.survey
    if survey.status != NationalSurvey.Status.OPEN:
        return render(
            request, "surveys/respond_message.html", {"kind": "closed", "survey": survey}, status=410
        )
    if invitation.completed_at or invitation.covered_by_id:
        return render(
            request,
            "surveys/respond_message.html",
            {"kind": "done", "survey": survey, "invitation": invitation},
        )
    form = engine.load_form(survey.version)
    existing = getattr(invitation, "response", None)
    data: dict[str, Any] = dict(existing.data) if existing else {}
    errors: dict[str, str] = {}
    cover_candidates = services.cover_candidates(invitation)
    covers: list[str] = []
    saved = False
    if request.method == "POST":
        final = request.POST.get("action") == "submit"
        data = engine.read_post(form, request.POST)
        covers = [k for k in request.POST.getlist("covers") if k]
        try:
            _response, errors = services.response_save(
                invitation=invitation, data=data, final=final, covers=covers if final else []
            )
        except services.SurveyClosed:
            return render(
                request, "surveys/respond_message.html", {"kind": "closed", "survey": survey}, status=410
            )
        except ValidationError:
            return render(
                request,
                "surveys/respond_message.html",
                {"kind": "done", "survey": survey, "invitation": invitation},
            )
        if final and not errors:
            return redirect("surveys:respond_done", token=token)
        saved = not final
        if not final:
            # The stored answers, and what was typed into a question with an error next to its message (that
            # answer was not saved), so the respondent sees what to correct.
            cleaned, _e = engine.clean_answers(form, data, final=False)
            data = {**cleaned, **{name: data[name] for name in errors if name in data}}
    else:
        services.invitation_opened(invitation=invitation)
    return render(
        request,
        "surveys/respond.html",
        {
            "survey": survey,
            "invitation": invitation,
            "sections": _render_questions(form, data, errors),
            "errors": errors,
            "error_count": len(errors),
            "cover_candidates": cover_candidates,
            "covers": covers,
            "covers_error": errors.get("__covers__", ""),
            "saved": saved,
        },
        status=400 if errors and request.method == "POST" and request.POST.get("action") == "submit" else 200,
    )


@never_cache
def respond_done(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    if invitation is None:
        return render(request, "surveys/respond_message.html", {"kind": "unknown"}, status=404)
    return render(
        request,
        "surveys/respond_message.html",
        {"kind": "done", "survey": invitation.survey, "invitation": invitation},
    )


def _unit_survey(code: str) -> SatisfactionSurvey | None:
    if not code or len(code) > 20:
        return None
    return (
        SatisfactionSurvey.objects.select_related("unit", "version__questionnaire").filter(code=code).first()
    )


KIOSK_IDLE_SECONDS = 180
"""Kiosk: seconds without input before a half-filled form (or one showing an error) is emptied and the blank
start page shown; `MESTRING_KIOSK_IDLE_SECONDS` overrides it. The last `KIOSK_IDLE_WARNING_SECONDS` count
down visibly, and any touch or key continues (`static/surveys/kiosk.js`)."""
KIOSK_IDLE_WARNING_SECONDS = 30


def kiosk_idle_seconds() -> int:
    return max(int(getattr(settings, "MESTRING_KIOSK_IDLE_SECONDS", KIOSK_IDLE_SECONDS)), 1)


def _unit_form(request: HttpRequest, code: str, *, kiosk: bool) -> HttpResponse:
    survey = _unit_survey(code)
    if survey is None:
        return render(request, "surveys/respond_message.html", {"kind": "unknown"}, status=404)
    if survey.current_round() is None:
        return render(
            request, "surveys/respond_message.html", {"kind": "closed", "survey": survey}, status=410
        )
    form = engine.load_form(survey.version)
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = engine.read_post(form, request.POST)
        try:
            errors = services.satisfaction_submit(survey=survey, data=data)
        except services.SurveyClosed:
            return render(
                request, "surveys/respond_message.html", {"kind": "closed", "survey": survey}, status=410
            )
        if not errors:
            target = reverse("surveys:unit_thanks", args=[code])
            return redirect(f"{target}?kiosk=1" if kiosk else target)
    return render(
        request,
        "surveys/unit_form.html",
        {
            "survey": survey,
            "kiosk": kiosk,
            "sections": _render_questions(form, data, errors),
            "errors": errors,
            "general_error": errors.get("__all__", ""),
            "error_count": len(errors),
            "kiosk_url": reverse("surveys:unit_kiosk", args=[code]),
            "idle_seconds": kiosk_idle_seconds(),
            "idle_warning_seconds": min(KIOSK_IDLE_WARNING_SECONDS, kiosk_idle_seconds()),
        },
        status=400 if errors else 200,
    )


@never_cache
def unit_form(request: HttpRequest, code: str) -> HttpResponse:
    return _unit_form(request, code, kiosk=False)


@never_cache
def unit_kiosk(request: HttpRequest, code: str) -> HttpResponse:
    return _unit_form(request, code, kiosk=True)


@never_cache
def unit_thanks(request: HttpRequest, code: str) -> HttpResponse:
    survey = _unit_survey(code)
    if survey is None:
        return render(request, "surveys/respond_message.html", {"kind": "unknown"}, status=404)
    kiosk = request.GET.get("kiosk") == "1"
    return render(
        request,
        "surveys/unit_thanks.html",
        {"survey": survey, "kiosk": kiosk, "kiosk_url": reverse("surveys:unit_kiosk", args=[code])},
    )


# ---------------------------------------------------------------------------------------------------------
# Unit satisfaction surveys (staff)
# ---------------------------------------------------------------------------------------------------------


@member_required(Perm.SURVEY_UNIT_MANAGE)
def unit_survey_list(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    return render(
        request, "surveys/unit_survey_list.html", {"surveys": access.visible_unit_surveys(membership)}
    )


def _satisfaction_versions(membership: Membership) -> Any:
    return QuestionnaireVersion.objects.filter(
        status=QuestionnaireVersion.Status.PUBLISHED,
        questionnaire__in=access.visible_questionnaires(membership).filter(
            kind=Questionnaire.Kind.SATISFACTION
        ),
    ).select_related("questionnaire")


@member_required(Perm.SURVEY_UNIT_MANAGE)
def unit_survey_create(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    from mestring.surveys.defaults import ensure_default_questionnaires

    ensure_default_questionnaires()
    units = access.units_in_scope(membership).filter(is_active=True)  # closed units take no new surveys
    form = UnitSurveyForm(request.POST or None, units=units, versions=_satisfaction_versions(membership))
    existing = None
    if request.method == "POST" and form.is_valid():
        chosen = dict(form.cleaned_data)
        try:
            survey = services.satisfaction_survey_create(**chosen)
        except ValidationError as exc:
            apply_errors(form, exc)
            existing = services.open_satisfaction_survey(unit=chosen["unit"], version=chosen["version"])
        else:
            messages.success(request, _("Brukerundersøkelsen er opprettet."))
            return redirect("surveys:unit_survey_detail", pk=survey.pk)
    return render(
        request,
        "surveys/form.html",
        {"form": form, "title": _("Ny brukerundersøkelse"), "existing_survey": existing},
    )


def _qr_svg(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=4, title=_("QR-kode til undersøkelsen")))


@member_required(Perm.SURVEY_UNIT_MANAGE)
def unit_survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.access_unit_survey(_membership(request), pk)
    short_url = request.build_absolute_uri(reverse("surveys:unit_form", args=[survey.code]))
    current = survey.current_round()
    return render(
        request,
        "surveys/unit_survey_detail.html",
        {
            "survey": survey,
            "short_url": short_url,
            "kiosk_url": reverse("surveys:unit_kiosk", args=[survey.code]),
            "qr": _qr_svg(short_url),
            "rounds": [(r, r.answers.count()) for r in survey.rounds.order_by("-opened_on", "-pk")],
            "current": current,
            "round_form": RoundForm(),
        },
    )


@member_required(Perm.SURVEY_UNIT_MANAGE)
def unit_survey_round(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.access_unit_survey(_membership(request), pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = RoundForm(request.POST)
    if form.is_valid():
        try:
            services.satisfaction_round_start(survey=survey, name=form.cleaned_data["name"])
        except ValidationError as exc:
            message_errors(request, exc)
        else:
            messages.success(request, _("En ny runde er startet."))
    elif any(error.code == "required" for error in form.errors.as_data().get("name", [])):
        messages.error(request, _("Gi runden et navn."))
    else:
        for message in form.errors.get("name", []):
            messages.error(request, _("Navnet på runden: %(error)s") % {"error": message})
    return redirect("surveys:unit_survey_detail", pk=survey.pk)


@member_required()
def unit_survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _require_any(request, Perm.SURVEY_UNIT_MANAGE, Perm.AGGREGATE_VIEW)
    survey = access.access_unit_survey(membership, pk)
    return render(
        request,
        "surveys/unit_survey_results.html",
        {
            "survey": survey,
            "result": analysis.satisfaction_results(survey),
            "can_manage": membership.can(Perm.SURVEY_UNIT_MANAGE),
        },
    )


@member_required()
def unit_survey_results_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The results page's tables as CSV/XLSX: the same suppressed figures, through the same table writers as
    the national survey's table export. Below the minimum number of answers there is nothing to export."""
    membership = _require_any(request, Perm.SURVEY_UNIT_MANAGE, Perm.AGGREGATE_VIEW)
    survey = access.access_unit_survey(membership, pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    result = analysis.satisfaction_results(survey)
    if not result.enough:
        messages.info(
            request,
            _("Resultatene kan lastes ned når minst %(minimum)s har svart i runden.")
            % {"minimum": result.minimum},
        )
        return redirect("surveys:unit_survey_results", pk=survey.pk)
    content = exports.tables_to_csv(result.tables) if fmt == "csv" else exports.tables_to_xlsx(result.tables)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="brukerundersokelse-{survey.pk}-resultater.{fmt}"'
    )
    return response


# ---------------------------------------------------------------------------------------------------------
# National surveys (analyst)
# ---------------------------------------------------------------------------------------------------------


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def national_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "surveys/national_list.html",
        {"surveys": access.visible_national_surveys(_membership(request))},
    )


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def national_create(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    from mestring.surveys.defaults import ensure_default_questionnaires

    ensure_default_questionnaires()
    versions = QuestionnaireVersion.objects.filter(
        status=QuestionnaireVersion.Status.PUBLISHED,
        questionnaire__in=access.visible_questionnaires(membership).filter(kind=Questionnaire.Kind.NATIONAL),
    ).select_related("questionnaire")
    form = NationalSurveyForm(request.POST or None, versions=versions)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.national_survey_create(owner=membership.organisation, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Undersøkelsen er opprettet med %(n)s kommuner.") % {"n": survey.invitations.count()},
            )
            return redirect("surveys:national_detail", slug=survey.slug)
    return render(request, "surveys/form.html", {"form": form, "title": _("Ny nasjonal undersøkelse")})


def state_filter(value: str | None) -> str:
    """A status-list filter (`?status=`): one of the invitation states, or "" for all."""
    return value if value in INVITATION_STATE_LABELS else ""


def _status_context(survey: NationalSurvey, membership: Membership, state: str = "") -> dict[str, Any]:
    """Response tracking for the page, its htmx fragment and the API. Municipalities without an address
    count as invited but not answered, as before; ``state`` filters the per-municipality list only."""
    invitations = list(survey.invitations.select_related("covered_by").order_by("name"))
    total = len(invitations)
    counts = dict.fromkeys(INVITATION_STATE_LABELS, 0)
    for i in invitations:
        counts[i.state] += 1
    responded = sum(1 for i in invitations if i.responded)
    identity = membership.can(Perm.SURVEY_IDENTITY_VIEW)
    return {
        "survey": survey,
        "total": total,
        "responded": responded,
        "rate": f"{100 * responded / total:.1f}".replace(".", ",") if total else "0",
        "counts": [(s, INVITATION_STATE_LABELS[s], n) for s, n in counts.items()],
        "missing_address": counts[services.NO_ADDRESS_STATE],
        "state_filter": state,
        "state_filter_label": INVITATION_STATE_LABELS.get(state, ""),
        "identity": identity,
        "invitations": [i for i in invitations if not state or i.state == state] if identity else [],
        "state_labels": INVITATION_STATE_LABELS,
        "poll": survey.status == NationalSurvey.Status.OPEN,
    }


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def national_detail(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _membership(request)
    survey = access.access_national_survey(membership, slug)
    context = _status_context(survey, membership, state_filter(request.GET.get("status")))
    return render(request, "surveys/national_detail.html", context)


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def national_status(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _membership(request)
    survey = access.access_national_survey(membership, slug)
    context = _status_context(survey, membership, state_filter(request.GET.get("status")))
    return render(request, "surveys/_national_status.html", context)


def _identity_survey(request: HttpRequest, slug: str) -> NationalSurvey:
    """Addresses identify municipalities: managing them needs SURVEY_IDENTITY_VIEW as well."""
    membership = _membership(request)
    if not membership.can(Perm.SURVEY_IDENTITY_VIEW):
        raise PermissionDenied
    return access.access_national_survey(membership, slug)


def _no_address_url(slug: str) -> str:
    return reverse("surveys:national_detail", args=[slug]) + f"?status={services.NO_ADDRESS_STATE}#svarstatus"


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def invitation_edit(request: HttpRequest, slug: str, kommunenummer: str) -> HttpResponse:
    """Enter or correct a municipality's contact address. An invitation not yet sent (e.g. one that lacked
    an address) is sent at once in an open survey; a sent one can be resent on request."""
    survey = _identity_survey(request, slug)
    invitation = survey.invitations.filter(kommunenummer=kommunenummer).first()
    if invitation is None:
        raise Http404
    had_address = invitation.has_address
    form = InvitationEmailForm(request.POST or None, initial={"email": invitation.email})
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_email_set(invitation=invitation, email=form.cleaned_data["email"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if services.first_send_due(invitation):
                tasks.send_invitations_task.enqueue(survey.pk)
                messages.success(request, _("Adressen er lagret, og invitasjonen sendes nå."))
            elif (
                request.POST.get("resend")
                and survey.status == NationalSurvey.Status.OPEN
                and not invitation.responded
            ):
                Invitation.objects.filter(pk=invitation.pk).update(sent_at=None)
                tasks.send_invitations_task.enqueue(survey.pk)
                messages.success(request, _("Adressen er endret, og invitasjonen sendes på nytt."))
            elif survey.status == NationalSurvey.Status.DRAFT:
                messages.success(
                    request, _("Adressen er lagret. Invitasjonen sendes når du sender ut undersøkelsen.")
                )
            else:
                messages.success(request, _("Adressen er endret."))
            if not had_address:
                return redirect(_no_address_url(slug))
            return redirect("surveys:national_detail", slug=slug)
    return render(
        request,
        "surveys/invitation_edit.html",
        {"form": form, "survey": survey, "invitation": invitation},
    )


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def invitation_addresses(request: HttpRequest, slug: str) -> HttpResponse:
    """Contact addresses for several municipalities at once (`kommunenummer;e-post` lines, all or nothing).
    In an open survey the invitations not yet sent go out at once."""
    survey = _identity_survey(request, slug)
    form = InvitationAddressesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.invitation_emails_set(survey=survey, text=form.cleaned_data["lines"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            due = [i for i in updated if services.first_send_due(i)]
            if due:
                tasks.send_invitations_task.enqueue(survey.pk)
            text = ngettext("%(n)s adresse er lagret.", "%(n)s adresser er lagret.", len(updated)) % {
                "n": len(updated)
            }
            if due:
                text += " " + ngettext(
                    "%(n)s invitasjon sendes nå.", "%(n)s invitasjoner sendes nå.", len(due)
                ) % {"n": len(due)}
            elif survey.status == NationalSurvey.Status.DRAFT:
                text += " " + _("Invitasjonene sendes når du sender ut undersøkelsen.")
            messages.success(request, text)
            return redirect(_no_address_url(slug))
    missing = [i for i in survey.invitations.order_by("kommunenummer") if not i.has_address]
    return render(
        request,
        "surveys/invitation_addresses.html",
        {"form": form, "survey": survey, "missing": missing},
    )


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def national_send(request: HttpRequest, slug: str) -> HttpResponse:
    survey = access.access_national_survey(_membership(request), slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.national_survey_open(survey=survey, base_url=request.build_absolute_uri("/"))
    except ValidationError as exc:
        message_errors(request, exc)
        return redirect("surveys:national_detail", slug=slug)
    tasks.send_invitations_task.enqueue(survey.pk)
    messages.success(request, _("Invitasjonene sendes nå i bakgrunnen."))
    missing = survey.invitations.filter(email="").count()
    if missing:
        messages.warning(
            request,
            ngettext(
                "%(n)s kommune mangler kontaktadresse og får ingen e-post før du legger inn en adresse.",
                "%(n)s kommuner mangler kontaktadresse og får ingen e-post før du legger inn adresser.",
                missing,
            )
            % {"n": missing},
        )
    return redirect("surveys:national_detail", slug=slug)


def _reminder_skipped(plan: services.ReminderPlan) -> list[str]:
    """Why the others get no reminder, one phrase per reason that applies."""
    reasons = []
    if plan.responded:
        reasons.append(
            ngettext("%(n)s kommune har svart", "%(n)s kommuner har svart", plan.responded)
            % {"n": plan.responded}
        )
    if plan.max_reached:
        reasons.append(
            ngettext(
                "%(n)s kommune har allerede fått høyst antall påminnelser (%(max)s)",
                "%(n)s kommuner har allerede fått høyst antall påminnelser (%(max)s)",
                plan.max_reached,
            )
            % {"n": plan.max_reached, "max": plan.max_reminders}
        )
    if plan.no_address:
        reasons.append(
            ngettext(
                "%(n)s kommune mangler kontaktadresse",
                "%(n)s kommuner mangler kontaktadresse",
                plan.no_address,
            )
            % {"n": plan.no_address}
        )
    if plan.not_sent:
        reasons.append(
            ngettext(
                "%(n)s kommune har ikke fått invitasjonen ennå",
                "%(n)s kommuner har ikke fått invitasjonen ennå",
                plan.not_sent,
            )
            % {"n": plan.not_sent}
        )
    return reasons


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def national_remind(request: HttpRequest, slug: str) -> HttpResponse:
    """Remind every municipality that may be reminded now, and say how many that is (or why nobody)."""
    survey = access.access_national_survey(_membership(request), slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    plan = services.reminder_plan(survey=survey)
    reasons = _reminder_skipped(plan)
    if not plan.is_open:
        messages.error(request, _("Ingen påminnelser sendes: undersøkelsen er ikke åpen."))
    elif plan.due:
        tasks.send_reminders_task.enqueue(survey.pk, True)
        text = ngettext(
            "%(n)s påminnelse sendes nå i bakgrunnen til en kommune som ikke har svart.",
            "%(n)s påminnelser sendes nå i bakgrunnen til kommuner som ikke har svart.",
            plan.due,
        ) % {"n": plan.due}
        if reasons:
            text += " " + _("Ingen påminnelse til de andre: %(reasons)s.") % {"reasons": "; ".join(reasons)}
        messages.success(request, text)
    elif plan.max_reminders == 0:
        messages.warning(request, _("Ingen påminnelser sendes: undersøkelsen er satt opp uten påminnelser."))
    else:
        messages.warning(
            request,
            _("Ingen påminnelser sendes: %(reasons)s.")
            % {"reasons": "; ".join(reasons) or _("ingen kommuner er invitert")},
        )
    return redirect("surveys:national_detail", slug=slug)


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def national_close(request: HttpRequest, slug: str) -> HttpResponse:
    """Closing stops every link: a confirmation page (GET) says how many have started without finishing."""
    survey = access.access_national_survey(_membership(request), slug)
    if survey.status != NationalSurvey.Status.OPEN:
        messages.info(request, _("Undersøkelsen er ikke åpen."))
        return redirect("surveys:national_detail", slug=slug)
    if request.method == "POST":
        try:
            services.national_survey_close(survey=survey)
        except ValidationError as exc:
            message_errors(request, exc)
            return redirect("surveys:national_detail", slug=slug)
        messages.success(
            request,
            _("Undersøkelsen er avsluttet. Lenkene virker ikke lenger. Du kan gjenåpne den fra denne siden."),
        )
        return redirect("surveys:national_detail", slug=slug)
    counts = services.close_summary(survey=survey)
    return render(request, "surveys/national_close.html", {"survey": survey, **counts})


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def national_reopen(request: HttpRequest, slug: str) -> HttpResponse:
    """Reopen a closed survey: the municipalities' links work again (POST only)."""
    survey = access.access_national_survey(_membership(request), slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.national_survey_reopen(survey=survey)
    except ValidationError as exc:
        message_errors(request, exc)
    else:
        messages.success(
            request,
            _(
                "Undersøkelsen er åpnet igjen. Lenkene virker igjen, og påbegynte svar kan fullføres. "
                "Påminnelser går etter den daglige planen."
            ),
        )
    return redirect("surveys:national_detail", slug=slug)


def _group_set(request: HttpRequest) -> str:
    slug = request.GET.get("etter", "")
    return slug if slug in dict(analysis.group_sets()) else ""


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def national_analysis(request: HttpRequest, slug: str) -> HttpResponse:
    survey = access.access_national_survey(_membership(request), slug)
    form = engine.load_form(survey.version)
    datas = [d for _k, d in analysis.submitted_data(survey)]
    return render(
        request,
        "surveys/national_analysis.html",
        {
            "survey": survey,
            "representativeness": [
                analysis.representativeness(survey, s) for s in analysis.REPRESENTATIVENESS_SETS
            ],
            "frequencies": analysis.frequency_tables(form, datas),
            "open_questions": [(q.name, q.text) for q in form.questions.values() if q.type in TEXT_TYPES],
        },
    )


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def national_crosstab(request: HttpRequest, slug: str) -> HttpResponse:
    """A question crossed with another question or with a grouping (exactly one). The choice is a GET form;
    a question crossed with itself, both kinds at once or an unknown name answer 400 with field errors."""
    survey = access.access_national_survey(_membership(request), slug)
    form = engine.load_form(survey.version)
    bound = any(request.GET.get(key) for key in ("sporsmal", "mot", "etter"))
    choice = CrosstabForm(
        request.GET if bound else None,
        questions=analysis.crosstab_categories(form),
        group_sets=analysis.group_sets(),
        auto_id="%s",
    )
    table = None
    if bound and choice.is_valid():
        table = analysis.survey_crosstab(
            survey,
            question=choice.cleaned_data["sporsmal"],
            by_question=choice.cleaned_data["mot"],
            by_group_set=choice.cleaned_data["etter"],
            form=form,
        )
    return render(
        request,
        "surveys/national_crosstab.html",
        {"survey": survey, "form": choice, "table": table},
        status=400 if bound and choice.errors else 200,
    )


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def national_open_answers(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _membership(request)
    survey = access.access_national_survey(membership, slug)
    form = engine.load_form(survey.version)
    open_questions = [(q.name, q.text) for q in form.questions.values() if q.type in TEXT_TYPES]
    if not open_questions:
        raise Http404
    question = request.GET.get("sporsmal") or request.POST.get("sporsmal") or open_questions[0][0]
    if question not in dict(open_questions):
        raise Http404
    theme_form = ThemeForm(request.POST if request.POST.get("action") == "theme" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "theme":
                if theme_form.is_valid():
                    services.theme_add(survey=survey, question_name=question, **theme_form.cleaned_data)
                    messages.success(request, _("Temaet er lagt til i kodeboken."))
                    return redirect(
                        f"{reverse('surveys:national_open_answers', args=[slug])}?sporsmal={question}"
                    )
            else:
                codes: dict[int, list[int]] = {}
                for answer in analysis.open_answers(survey, question):
                    codes[answer.response_id] = [
                        int(t) for t in request.POST.getlist(f"tema-{answer.response_id}") if t.isdigit()
                    ]
                services.answer_codes_set(survey=survey, question_name=question, codes=codes)
                messages.success(request, _("Kodingen er lagret."))
                return redirect(
                    f"{reverse('surveys:national_open_answers', args=[slug])}?sporsmal={question}"
                )
        except ValidationError as exc:
            apply_errors(theme_form, exc)
    themes = list(survey.themes.filter(question_name=question))
    return render(
        request,
        "surveys/national_open_answers.html",
        {
            "survey": survey,
            "open_questions": open_questions,
            "question": question,
            "question_text": dict(open_questions)[question],
            "answers": analysis.open_answers(survey, question),
            "themes": themes,
            "theme_form": theme_form,
            "counts": analysis.theme_counts(survey, question),
            "identity": membership.can(Perm.SURVEY_IDENTITY_VIEW),
        },
    )


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def national_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    membership = _membership(request)
    survey = access.access_national_survey(membership, slug)
    if fmt not in exports.CONTENT_TYPES:
        raise Http404
    content = exports.export_responses(survey, fmt, identity=membership.can(Perm.SURVEY_IDENTITY_VIEW))
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{survey.slug}-svar.{fmt}"'
    return response


@member_required(Perm.SURVEY_NATIONAL_MANAGE)
def national_tables_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    survey = access.access_national_survey(_membership(request), slug)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = engine.load_form(survey.version)
    datas = [d for _k, d in analysis.submitted_data(survey)]
    tables = [analysis.representativeness(survey, s) for s in analysis.REPRESENTATIVENESS_SETS]
    tables += analysis.frequency_tables(form, datas)
    content = exports.tables_to_csv(tables) if fmt == "csv" else exports.tables_to_xlsx(tables)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{survey.slug}-tabeller.{fmt}"'
    return response
