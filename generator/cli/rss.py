"""`masthead rss`: the article's RSS item."""

from generator.cli.common import declare_commands, emit, load, one_article, reports_errors
from generator.cli.group import SHORT_HELP
from generator.cli.options import ArticleArg, ConfigOption, InputFormatOption, OutputOption

commands = declare_commands()


@commands.command(short_help=SHORT_HELP["rss"])
@reports_errors
@one_article
def rss(
    article: ArticleArg,
    output: OutputOption = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Print the article's RSS 2.0 <item>, well-formed on its own."""
    from generator.channels.rss.item import article_item_xml
    from generator.clock import now
    from generator.config import load_config

    cfg = load_config(config)
    emit(article_item_xml(load(article, cfg, input_format, output), cfg, now=now()), output)
