"""Buttons already sent stay in people's chats: the named codes must encode as they always did."""

from __future__ import annotations

from flows import consent, faq, menu, offices, tickets
from flows.callbacks import encode
from flows.desk import needs, relay, views
from flows.engine import build_flows
from flows.intake import buttons as intake
from flows.milestones import delivery as milestones
from flows.staff import common as staff


def test_every_feature_keeps_its_prefix() -> None:
    router, *_ = build_flows()
    assert set(router.buttons) == {
        "lang", "menu", "off", "faq", "wd", "cs", "req", "in", "stf", "dk", "tk", "ms", "nd"}
    assert (menu.LANGUAGE_BUTTON, menu.MENU_BUTTON, offices.OFFICES_BUTTON, faq.FAQ_BUTTON,
            tickets.WITHDRAW_BUTTON, consent.CONSENT_BUTTON, intake.REQUEST_BUTTON,
            intake.INTAKE_BUTTON, staff.PREFIX, views.DESK_BUTTON, relay.FAMILY_BUTTON,
            milestones.MILESTONE_BUTTON, needs.NEED_BUTTON) == (
        "lang", "menu", "off", "faq", "wd", "cs", "req", "in", "stf", "dk", "tk", "ms", "nd")


def test_saved_buttons_encode_as_before() -> None:
    saved = [
        (encode(menu.LANGUAGE_BUTTON, "en"), "v1:lang:en"),
        (encode(offices.OFFICES_BUTTON, offices.WHICH_OFFICE), "v1:off:which"),
        (encode(faq.FAQ_BUTTON, faq.QUESTION, "coord_what"), "v1:faq:q:coord_what"),
        (encode(faq.FAQ_BUTTON, faq.CATEGORY, "money"), "v1:faq:cat:money"),
        (encode(faq.FAQ_BUTTON, faq.CATEGORIES), "v1:faq:cats"),
        (encode(faq.FAQ_BUTTON, faq.NONE_OF_THESE), "v1:faq:none"),
        (encode(tickets.WITHDRAW_BUTTON, tickets.WITHDRAW_YES), "v1:wd:yes"),
        (encode(tickets.WITHDRAW_BUTTON, tickets.WITHDRAW_NO), "v1:wd:no"),
        (encode(consent.CONSENT_BUTTON, consent.ROLE, "pro"), "v1:cs:role:pro"),
        (encode(consent.CONSENT_BUTTON, consent.TICK, "share"), "v1:cs:t:share"),
        (encode(consent.CONSENT_BUTTON, consent.AGREE), "v1:cs:ok"),
        (encode(consent.CONSENT_BUTTON, consent.DISAGREE), "v1:cs:no"),
        (encode(consent.CONSENT_BUTTON, consent.CANCEL), "v1:cs:cancel"),
        (encode(intake.REQUEST_BUTTON, intake.CONTINUE), "v1:req:go"),
        (encode(intake.REQUEST_BUTTON, intake.START_AGAIN), "v1:req:new"),
        (encode(intake.REQUEST_BUTTON, intake.DELETE), "v1:req:del"),
        (encode(intake.INTAKE_BUTTON, "contact", intake.CHOOSE, "phone"), "v1:in:contact:v:phone"),
        (encode(intake.INTAKE_BUTTON, "care", intake.TOGGLE, "vent"), "v1:in:care:t:vent"),
        (encode(intake.INTAKE_BUTTON, "care", intake.DONE), "v1:in:care:done"),
        (encode(intake.INTAKE_BUTTON, "age", intake.BACK), "v1:in:age:back"),
        (encode(intake.INTAKE_BUTTON, "note", intake.SKIP), "v1:in:note:skip"),
        (encode(intake.INTAKE_BUTTON, "age", intake.KEEP), "v1:in:age:keep"),
        (encode(intake.INTAKE_BUTTON, "age", intake.CANCEL), "v1:in:age:cancel"),
        (encode(intake.INTAKE_BUTTON, "age", intake.CANCEL_YES), "v1:in:age:cancel_yes"),
        (encode(intake.INTAKE_BUTTON, "age", intake.CANCEL_NO), "v1:in:age:cancel_no"),
        (encode(intake.INTAKE_BUTTON, "residence", intake.AGAIN), "v1:in:residence:again"),
        (encode(intake.INTAKE_BUTTON, "summary", intake.EDIT, "age"), "v1:in:summary:edit:age"),
        (encode(intake.INTAKE_BUTTON, "summary", intake.SEND), "v1:in:summary:send"),
        (staff.data(staff.SAVE), "v1:stf:save"),
        (staff.data(staff.CANCEL), "v1:stf:cancel"),
        (staff.data(staff.LIST), "v1:stf:list"),
        (staff.data(staff.GAPS), "v1:stf:gaps"),
        (staff.data(staff.RELOAD), "v1:stf:reload"),
        (staff.data(staff.GAP_ADD, "12", "coord_what"), "v1:stf:ga:12:coord_what"),
        (staff.data(staff.GAP_CATEGORY, "12"), "v1:stf:gc:12"),
        (staff.data(staff.GAP_TOPIC, "12", "money"), "v1:stf:gk:12:money"),
        (staff.data(staff.GAP_NEW, "12"), "v1:stf:gn:12"),
        (encode(views.DESK_BUTTON, views.CLAIM, "42"), "v1:dk:c:42"),
        (encode(relay.FAMILY_BUTTON, relay.REOPEN, "42"), "v1:tk:ro:42"),
        (encode(milestones.MILESTONE_BUTTON, milestones.STOP), "v1:ms:stop"),
        (encode(needs.NEED_BUTTON, needs.ADD, "42", "short_stay"), "v1:nd:a:42:short_stay"),
        (encode(needs.NEED_BUTTON, needs.STATUS, "7", "beyond_ward"), "v1:nd:s:7:beyond_ward"),
    ]
    for encoded, before in saved:
        assert encoded == before
