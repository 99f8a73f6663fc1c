"""Sample grids as pictures: where each image lands, and the numbers the Teach page's
gallery is picked by."""

from __future__ import annotations

import numpy as np

from core.data import image_grid


def test_tiles_land_in_rows_enlarged_between_thin_lines():
    images = np.arange(5 * 2 * 2, dtype=np.uint8).reshape(5, 2, 2) * 10
    picture = image_grid.tile(images, columns=3, scale=2, gap=1)
    assert picture.shape == (2 * (4 + 1) + 1, 3 * (4 + 1) + 1)
    top, left = 1 + 4 + 1, 1 + 4 + 1  # the fifth image: second row, second column
    assert (picture[top : top + 4, left : left + 4] == images[4].repeat(2, 0).repeat(2, 1)).all()
    assert (picture[0] == image_grid.GAP_SHADE).all()


def test_numbers_mark_only_each_tiles_corner():
    images = np.zeros((12, 28, 28), np.float32)
    plain = image_grid.tile(images, columns=10, scale=2)
    numbered = image_grid.tile(images, columns=10, scale=2, numbers=range(40, 52))
    assert numbered.shape == plain.shape + (3,)
    marked = (numbered != plain[..., None]).any(axis=2)
    for index in range(12):  # every tile has its number, up in its top-left corner
        top, left = 2 + (index // 10) * 58, 2 + (index % 10) * 58
        corner = marked[top : top + 56, left : left + 56]
        assert corner[:20, :30].any() and not corner[24:].any()
    assert not marked[62:, 2 * 58 + 2 :].any()  # the empty cells stay empty
