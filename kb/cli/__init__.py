"""The `kb` command line: one click group, commands grouped by what they do.

    kb/cli/__init__.py   the group and COMMANDS: each command's module and summary
    kb/cli/group.py      KbGroup: loads a command's module when it runs; errors as one line
    kb/cli/options.py    --db, --by, --update, the filter options (from kb/filters.py), open_store
    kb/cli/building.py   init, import, dump, build, stats
    kb/cli/adding.py     add, add-event, add-org, add-person, link, cite, note, rekey
    kb/cli/curation.py   edit, rename, remove, unlink
    kb/cli/show.py       show, list, search
    kb/cli/export.py     export, ref
    kb/cli/history.py    log, undo          kb/cli/merge.py   merge, unmerge, merges
    kb/cli/dedupe.py     dedupe             kb/cli/enrich.py  enrich
    kb/cli/serving.py    serve              kb/cli/users.py   users (department server accounts)

The commands are thin: they parse options and call the modules that do the work
(kb.importing, kb.store, kb.exporting, kb.history ...). `kb --version` and `kb --help`
import no command module: the group lists the commands from the table below, so a
command's libraries (Datasette, citeproc-py, trafilatura, rapidfuzz, PyYAML ...) load
only when it runs. A new command: a click command in one of these modules (or a new
one) and one line in COMMANDS (tests/test_startup.py checks the summary matches).
"""

from __future__ import annotations

import click

from .. import __version__
from .group import CommandEntry, KbGroup

_BUILD = "Build and import"
_ADD = "Add and link"
_CORRECT = "Correct"
_FIND = "Find and show"
_EXPORT = "Export"
_HISTORY = "History and duplicates"
_ONLINE = "Online and in the browser"

# name -> where the command lives, its docstring's first sentence, its section in `kb --help`
COMMANDS: dict[str, CommandEntry] = {
    "init": CommandEntry(
        "kb.cli.building:init", "Create an empty knowledge base (or upgrade an existing one in place).", _BUILD
    ),
    "import": CommandEntry(
        "kb.cli.building:import_", "Import works, events, organisations and people from files.", _BUILD
    ),
    "dump": CommandEntry(
        "kb.cli.building:dump", "Write the whole knowledge base to DIRECTORY as YAML, one file per record.", _BUILD
    ),
    "build": CommandEntry(
        "kb.cli.building:build",
        "Build a fresh knowledge base from a folder of kb YAML (what `kb dump` writes).",
        _BUILD,
    ),
    "stats": CommandEntry("kb.cli.building:stats", "Count what the knowledge base holds.", _BUILD),
    "add": CommandEntry("kb.cli.adding:add", "Log a work by its DOI, ISBN, arXiv id or URL, or by hand.", _ADD),
    "add-event": CommandEntry(
        "kb.cli.adding:add_event", "Add an event, or fill in and add aliases to an existing one.", _ADD
    ),
    "add-org": CommandEntry(
        "kb.cli.adding:add_org", "Add an organisation, or fill in and add aliases to an existing one.", _ADD
    ),
    "add-person": CommandEntry("kb.cli.adding:add_person", "Add a person (an author) or an affiliation of one.", _ADD),
    "link": CommandEntry(
        "kb.cli.adding:link",
        "Link a work to events, organisations or tags; or detect the ones its text mentions.",
        _ADD,
    ),
    "cite": CommandEntry(
        "kb.cli.adding:cite", "Record that the work CITING cites (or revises, quotes ...) the work CITED.", _ADD
    ),
    "note": CommandEntry(
        "kb.cli.adding:note",
        "Add a note (a comment, a quote, or both) to the work KEY (citekey, DOI or URL), and/or set its reading "
        "status; says which it did.",
        _ADD,
    ),
    "rekey": CommandEntry("kb.cli.adding:rekey", "Change a work's citekey (kb never changes one by itself).", _ADD),
    "edit": CommandEntry(
        "kb.cli.curation:edit_command",
        "Edit a work (KEY: citekey, DOI or URL), organisation, event or person as kb YAML in $EDITOR.",
        _CORRECT,
    ),
    "rename": CommandEntry(
        "kb.cli.curation:rename_command", "Rename an organisation, event or person to NEW_NAME.", _CORRECT
    ),
    "remove": CommandEntry(
        "kb.cli.curation:remove_command",
        "Remove a work (KEY), organisation, event or person, with what hangs on it.",
        _CORRECT,
    ),
    "unlink": CommandEntry(
        "kb.cli.curation:unlink_command",
        "Remove links of a work (KEY): to events, organisations, tags, or its citations.",
        _CORRECT,
    ),
    "show": CommandEntry(
        "kb.cli.show:show_command",
        "Show one work (by citekey, DOI or URL) with its authors, tags, events, organisations, citations both ways, "
        "notes and formatted reference; or an organisation, event or person by name or alias, with what links to it.",
        _FIND,
    ),
    "list": CommandEntry("kb.cli.show:list_command", "List works, organisations, events, people or tags.", _FIND),
    "search": CommandEntry(
        "kb.cli.show:search_command",
        "Full-text search of works (title, outlet, abstract, notes, page text), people, organisations and events: "
        "the index of the web search, best match first (bm25) within each kind, with the text that matched in "
        "[brackets].",
        _FIND,
    ),
    "export": CommandEntry(
        "kb.cli.export:export_command",
        "Export the works the filters select, sorted by citekey, as BibTeX, BibLaTeX, RIS, CSL-JSON, CSV or kb YAML, "
        "or as a formatted bibliography in a CSL style.",
        _EXPORT,
    ),
    "ref": CommandEntry(
        "kb.cli.export:ref_command",
        "Print the formatted reference of each work KEY (citekey, DOI or URL), in the order given.",
        _EXPORT,
    ),
    "log": CommandEntry("kb.cli.history:log_command", "Show what write commands changed, newest first.", _HISTORY),
    "undo": CommandEntry(
        "kb.cli.history:undo_command",
        "Revert a command: the newest one not undone yet, or number N from `kb log`.",
        _HISTORY,
    ),
    "dedupe": CommandEntry(
        "kb.cli.dedupe:dedupe_command",
        "List pairs of works that may be one work, with the reason, or record that a pair is not one.",
        _HISTORY,
    ),
    "merge": CommandEntry("kb.cli.merge:merge_command", "Merge the work OTHER into the work KEEP, by hand.", _HISTORY),
    "unmerge": CommandEntry(
        "kb.cli.merge:unmerge_command", "Give a record merged into the work KEY back as its own work.", _HISTORY
    ),
    "merges": CommandEntry(
        "kb.cli.merge:merges_command",
        "List the records merged into other works, with the reason for each.",
        _HISTORY,
    ),
    "enrich": CommandEntry(
        "kb.cli.enrich:enrich_command",
        "Fill what the works the filters select are missing, from Crossref, DataCite and OpenAlex: DOI (by title, "
        "first author and year, only when the match is certain), abstract, outlet, volume, issue, pages, publisher, "
        "ISSN, language, and the authors' ORCIDs and institutions.",
        _ONLINE,
    ),
    "serve": CommandEntry("kb.cli.serving:serve", "Browse the knowledge base in Datasette, read-only.", _ONLINE),
    "users": CommandEntry(
        "kb.cli.users:users_group",
        "Accounts for a department server: who may log in to `kb serve`, and what they see.",
        _ONLINE,
    ),
}


@click.group(cls=KbGroup, table=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kb")
def cli() -> None:
    """kb: a knowledge base of sources, authors, events, organisations and citations.

    Log what you read, link it to the events and organisations it discusses, record
    who cites whom, browse it in Datasette and export citations.

    Example:

    \b
        kb init && kb add --title "An impossible dream?" --type post-weblog --author "Jakub Kulhanek"
    """


main = cli

__all__ = ["COMMANDS", "cli", "main"]
