"""kb's Datasette plugin: the pages and exports supervisors use over the knowledge base."""

from datasette import hookimpl


@hookimpl
def extra_template_vars(datasette):
    return {"kb_plugin": True}
