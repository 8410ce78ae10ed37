def test_stylesheet_and_scripts_are_served(client):
    for path in ("/static/okno/okno.css", "/static/okno/desk.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 100, path
