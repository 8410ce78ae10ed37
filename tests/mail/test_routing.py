"""Routing rule matching: first match in order, all filled conditions, any listed value."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from okno.mail.parse import Address, InboundMessage
from okno.mail.routing import check_rule, first_match, split_list


@dataclass
class Rule:
    name: str = "r"
    subject_keywords: str = ""
    body_keywords: str = ""
    senders: str = ""
    recipients: str = ""


def _msg(**kw) -> InboundMessage:
    return InboundMessage(
        from_address=kw.get("sender", "rita@acme.test"),
        subject=kw.get("subject", "Printer broken"),
        body_text=kw.get("body", ""),
        to=[Address(a) for a in kw.get("to", ["support@okno.test"])],
    )


def test_lists_split_on_commas_semicolons_and_lines():
    assert split_list(" VPN, wifi;\nПринтер ,, ") == ["vpn", "wifi", "принтер"]


def test_sender_matches_address_domain_and_subdomain():
    assert check_rule(Rule(senders="@acme.test"), _msg()).matched
    assert check_rule(Rule(senders="acme.test"), _msg(sender="a@mail.acme.test")).matched
    assert check_rule(Rule(senders="rita@acme.test"), _msg()).matched
    assert not check_rule(Rule(senders="bob@acme.test"), _msg()).matched
    assert not check_rule(Rule(senders="@cme.test"), _msg()).matched


def test_every_filled_condition_must_match():
    rule = Rule(subject_keywords="printer", recipients="it@okno.test")
    assert not check_rule(rule, _msg()).matched
    assert check_rule(rule, _msg(to=["IT@okno.test"])).matched


def test_first_matching_rule_wins():
    rules = [Rule("a", subject_keywords="vpn"), Rule("b", body_keywords="printer"), Rule("c")]
    assert first_match(rules, _msg()).name == "b"
    assert first_match(rules[:1], _msg()) is None


@given(st.text(), st.text(), st.text(), st.text())
def test_matching_never_raises_and_a_contained_keyword_matches(subject, body, word, sender):
    msg = _msg(subject=subject, body=body, sender=sender)
    check_rule(Rule(subject_keywords=word, body_keywords=word, senders=sender), msg)
    keyword = subject.strip()[:5]
    if keyword and not any(sep in keyword for sep in ",;\n"):
        assert check_rule(Rule(subject_keywords=keyword), msg).matched
