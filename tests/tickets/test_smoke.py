def test_open_ticket_registers_ticket_article_and_event(ticket):
    assert ticket.pk
    assert ticket.status.key == "new"
    assert ticket.articles.count() == 1
    assert list(ticket.events.values_list("kind", flat=True)) == ["created"]
