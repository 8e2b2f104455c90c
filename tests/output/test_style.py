"""The compendium's style sheet leaves matplotlib as seaborn's set_theme does."""


from oss_analysis.output import style


def _comparable(params):
    """rcParams with the colour cycle as hex strings (a style sheet gives names, seaborn tuples)."""
    import matplotlib as mpl

    out = dict(params)
    out["axes.prop_cycle"] = [mpl.colors.to_hex(c["color"]) for c in out["axes.prop_cycle"]]
    return out


def test_style_sheet_gives_what_seaborns_set_theme_gives():
    """set_theme applies a style sheet instead of importing seaborn (a second per kernel): from the
    same start, it must leave matplotlib exactly as seaborn.set_theme with the same arguments does,
    but for seaborn's own default colour map, which only seaborn registers."""
    import matplotlib as mpl
    import seaborn as sns

    with mpl.rc_context():
        mpl.rcdefaults()
        style.set_theme()
        ours = _comparable(mpl.rcParams)
        mpl.rcdefaults()
        sns.set_theme(**style.SEABORN_THEME)
        mpl.rcParams.update(style.STABLE)
        theirs = _comparable(mpl.rcParams)
    assert ours.pop("image.cmap") == "viridis" and theirs.pop("image.cmap") == "rocket"
    changed = {k: (ours[k], theirs[k]) for k in ours if ours[k] != theirs[k]}
    assert changed == {}, f"rewrite the sheet with `python -m oss_analysis.output.style`: {changed}"

