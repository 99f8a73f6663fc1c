"""The Latent explorer page: interpolation for every stored generator, the VAE's map."""

from __future__ import annotations

from tests.app.conftest import open_page, text_of

PAGE = "views/latent.py"


def images(app) -> list[str]:
    return [image.proto.imgs[0].url for image in app.get("image")]


def test_an_empty_store_points_to_the_studio(nc_home):
    app = open_page(PAGE)
    assert "No generator has been trained on mnist yet" in text_of(app)


def test_interpolation_follows_the_seeds_and_steps(use_trained):
    app = open_page(PAGE)
    app.selectbox(key="latent.model").set_value("dcgan_fast").run()
    spherical, straight = images(app)[:2]
    app.number_input(key="latent.a").set_value(7).run()
    assert images(app)[0] != spherical
    app.slider(key="latent.steps").set_value(5).run()
    assert "Only the VAE has a 2-D latent space" in text_of(app)
    app.selectbox(key="latent.model").set_value("cgan").run()
    before = images(app)[0]
    app.selectbox(key="latent.digit").set_value(8).run()
    assert images(app)[0] != before
    assert not app.exception


def test_the_vae_map_decodes_the_chosen_point(use_trained):
    app = open_page(PAGE)
    app.selectbox(key="latent.model").set_value("vae").run()
    assert len(app.get("plotly_chart")) == 1
    decoded = images(app)[2]
    app.slider(key="latent.z1").set_value(2.0).run()
    app.slider(key="latent.z2").set_value(-1.5).run()
    assert images(app)[2] != decoded
    assert "decoded at (2.00, -1.50)" in str([i.proto.imgs[0].caption for i in app.get("image")])
    plane = images(app)[3]
    app.slider(key="latent.extent").set_value(1.0).run()
    assert images(app)[3] != plane
    assert not app.exception
