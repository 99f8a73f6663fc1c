"""The data: the real datasets and where they come from (`datasets`), a drawing or upload
made MNIST-like model input (`preprocess`), the two noises (`noise`), PSNR and SSIM
(`image_quality`), image grids as PNG and GIF (`image_grid`), and the lecture's airline
series (`airline`).

May import the shared ground (`core.settings`) and nothing else of `core`.
"""
