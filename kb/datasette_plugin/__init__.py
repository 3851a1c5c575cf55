"""kb's Datasette plugin: the pages and exports supervisors use over the knowledge base."""

from datasette import hookimpl

from .renderers import register_output_renderer  # noqa: F401  (.bib, .ris, .csljson exports)


@hookimpl
def extra_template_vars(datasette):
    return {"kb_plugin": True}
