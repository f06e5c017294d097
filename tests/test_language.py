import pytest


@pytest.mark.django_db
def test_indonesian_even_for_an_english_browser(client):
    page = client.get("/masuk/", headers={"accept-language": "en-US,en;q=0.9"})
    assert page.headers["Content-Language"] == "id"
    assert "Masuk ke Pakta" in page.content.decode()


@pytest.mark.django_db
def test_english_when_chosen_in_the_menu(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    assert response.status_code == 302
    page = client.get("/masuk/")
    assert page.headers["Content-Language"] == "en"
