"""Figures: Plotly figures (`plots`, `lab_plots`) and light SVG charts for live redraws
(`svg_chart`). Pure functions of arrays, numbers and labels: they never read a model, a
run or a file.

May import `core.scratch` (the fundamentals it plots) and nothing else of `core`.
"""
