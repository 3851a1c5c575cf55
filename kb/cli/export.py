"""`kb export` and `kb ref`: citations out of the knowledge base, as files or formatted."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import KbError
from ..exporters import ExportResult, format_names
from ..formatting import OUTPUTS, load_style, style_names
from ..reports import SCREEN_LINES, loss_report, loss_summary
from .options import db_option, filter_options, open_store, work_filter_from

if TYPE_CHECKING:
    pass


def writable_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An output file's folder must exist and be writable: checked before any work is read."""
    if value is None or value == "-":
        return value
    folder = Path(value).parent
    if not folder.is_dir():
        raise click.BadParameter(f"the folder {str(folder)!r} does not exist", ctx, param)
    if not os.access(folder, os.W_OK):
        raise click.BadParameter(f"cannot write in the folder {str(folder)!r}", ctx, param)
    return value


def write_output(text: str, path: str | None) -> None:
    """To stdout, or to a file replaced in one step (a failed export leaves it as it was)."""
    if path is None or path == "-":
        click.echo(text, nl=False)
        return
    import tempfile

    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", dir=target.parent if str(target.parent) else "."
        )
    except OSError as exc:
        raise KbError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it 0600; a written file gets the user's usual mode
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise KbError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (reading it means setting it; it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _report(exported: ExportResult, verbose: bool, report_path: str | None) -> None:
    """What the format could not carry: each kind on its own line when they fit a screen
    (or with --verbose), else one summary line; every work in --report FILE."""
    if report_path:
        write_output(loss_report(exported.lost, exported.label), report_path)
    if verbose or len(exported.losses) <= SCREEN_LINES:
        for line in exported.losses:
            click.echo(f"Not exported: {line}", err=True)
    else:
        click.echo(loss_summary(exported.lost, exported.label), err=True)


@click.command("export")
@click.option("--format", "fmt", help=f"File format: {', '.join(format_names())}.")
@click.option("--style", help="A CSL style for a formatted bibliography (apa, chicago-author-date, ieee ...).")
@click.option(
    "--to",
    "output",
    type=click.Choice(OUTPUTS),
    default="text",
    show_default=True,
    help="Output of a formatted bibliography.",
)
@click.option(
    "--ascii", "ascii_only", is_flag=True, help="BibTeX/BibLaTeX: write accents as LaTeX commands ({\\'e}), not UTF-8."
)
@click.option(
    "-o",
    "--output",
    "out_path",
    type=click.Path(dir_okay=False),
    callback=writable_path,
    help="Write to this file (default: stdout).",
)
@click.option("-v", "--verbose", is_flag=True, help="List every kind of field the format cannot carry, not a summary.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    callback=writable_path,
    help="Write each work and what the format cannot carry of it to this file (tab-separated).",
)
@filter_options
@db_option
def export_command(
    db_path: str,
    fmt: str | None,
    style: str | None,
    output: str,
    ascii_only: bool,
    out_path: str | None,
    verbose: bool,
    report_path: str | None,
    **options: Any,
) -> None:
    """Export the works the filters select, sorted by citekey, as BibTeX, BibLaTeX, RIS,
    CSL-JSON, CSV or kb YAML, or as a formatted bibliography in a CSL style.

    Filters combine with AND; a repeated filter means any of its values. What a format
    cannot carry is listed on stderr (a summary when it is long: --verbose for each
    kind, --report FILE for each work). On an error nothing is written to -o.

    Example:

    \b
        kb export --format biblatex --tag Russia -o russia.bib
        kb export --style apa --to html --event "Russo-Georgian War" --year 2008..2010
    """
    from ..exporting import bibliography, export

    work_filter = work_filter_from(options)
    if (fmt is None) == (style is None):
        raise KbError("say either --format FORMAT (a file) or --style NAME (a formatted bibliography)")
    store = open_store(db_path)
    if style is not None:
        load_style(style)
        result = bibliography(store.conn, style, output, work_filter, store=store)
        write_output(result.text, out_path)
        if result.failed:
            click.echo(
                f"pandoc could not format {len(result.failed)} works in {style}; their titles are shown: "
                f"{', '.join(result.failed[:5])}",
                err=True,
            )
        click.echo(f"{result.count} works in {style} ({result.count - result.formatted} from the cache)", err=True)
        return
    exported = export(store.conn, fmt, work_filter, ascii=ascii_only)
    write_output(exported.text, out_path)
    _report(exported, verbose, report_path)
    click.echo(
        f"Exported {exported.count} work{'' if exported.count == 1 else 's'} as {fmt}"
        + (f" to {out_path}" if out_path and out_path != "-" else ""),
        err=True,
    )


@click.command("ref")
@click.argument("keys", nargs=-1)
@click.option("--style", default="apa", show_default=True, help="A CSL style by name (see --list-styles).")
@click.option("--to", "output", type=click.Choice(OUTPUTS), default="text", show_default=True)
@click.option("--list-styles", is_flag=True, help="List the CSL style names and exit.")
@db_option
def ref_command(db_path: str, keys: tuple[str, ...], style: str, output: str, list_styles: bool) -> None:
    """Print the formatted reference of each work KEY (citekey, DOI or URL), in the order given.

    (`kb cite` records a citation; `kb ref` formats one.)

    Example:

    \b
        kb ref kulhanekImpossibleDream --style chicago-author-date
        kb ref --list-styles | grep harvard
    """
    if list_styles:
        click.echo("\n".join(style_names()))
        return
    if not keys:
        raise KbError("name at least one work: kb ref KEY... (or --list-styles)")
    from ..exporting import bibliography

    load_style(style)
    store = open_store(db_path)
    ids = [store.require_work(key) for key in keys]
    result = bibliography(store.conn, style, output, store=store, ids=ids)
    click.echo(result.text, nl=False)
