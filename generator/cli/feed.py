"""`masthead feed add` and `masthead feed remove`: keep an RSS feed file (and
its Atom / JSON Feed copies) up to date."""

from pathlib import Path
from typing import Annotated

import typer

from generator.cli.common import declare_commands, load, reports_errors, same_file, say
from generator.cli.group import SHORT_HELP
from generator.cli.options import ConfigOption, InputFormatOption
from generator.errors import MastheadError

commands = declare_commands()
feed_app = typer.Typer(
    help="Keep an RSS feed file (and Atom / JSON Feed copies) up to date.",
    short_help=SHORT_HELP["feed"],
    no_args_is_help=True,
    rich_markup_mode=None,
)
commands.add_typer(feed_app, name="feed")

FeedOption = Annotated[
    Path, typer.Option("--feed", help="The RSS feed file to update.", dir_okay=False)
]
AtomOption = Annotated[
    Path | None,
    typer.Option("--atom", help="Also keep an Atom 1.0 copy of the feed here.", dir_okay=False),
]
JsonFeedOption = Annotated[
    Path | None,
    typer.Option("--json-feed", help="Also keep a JSON Feed 1.1 copy here.", dir_okay=False),
]


@feed_app.command("add", short_help="Add articles to a feed (made if missing).")
@reports_errors
def feed_add(
    articles: Annotated[list[str], typer.Argument(metavar="ARTICLE...", help="Articles to add.")],
    feed: FeedOption,
    max_items: Annotated[
        int | None,
        typer.Option(
            "--max-items",
            min=0,
            help="Keep only the N newest items (foreign ones included); 0 keeps all "
            "(default: [feed] max_items in the config, else 0).",
        ),
    ] = None,
    drafts: Annotated[bool, typer.Option("--drafts", help="Add drafts too.")] = False,
    atom: AtomOption = None,
    json_feed: JsonFeedOption = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Add articles to a feed, creating it if missing; an item already there
    (same guid) is replaced in place, and nothing else is touched."""
    from generator.channels.rss.item import identity
    from generator.clock import now
    from generator.config import load_config
    from generator.feedfile import Siblings, add_articles

    cfg = load_config(config)
    parsed = [load(path, cfg, input_format) for path in articles]
    if not drafts:
        for path, article in zip(articles, parsed, strict=True):
            if article.draft:
                raise MastheadError("is a draft; pass --drafts to add it anyway", path)
    # Two articles with one guid would be one item: the second would replace
    # the first without a word. The same file named twice is one article.
    sources: dict[str, str] = {}
    for path, article in zip(articles, parsed, strict=True):
        guid = identity(article, cfg).guid
        first = sources.setdefault(guid, path)
        if first != path and not same_file(first, path):
            raise MastheadError(
                f"has the same guid as {first} ({guid}), so one item would replace the "
                "other; give one of them another slug or url",
                path,
            )
    update = add_articles(
        feed,
        parsed,
        cfg,
        now=now(),
        max_items=cfg.feed.max_items if max_items is None else max_items,
        siblings=Siblings(atom, json_feed),
    )
    if not cfg.site_url:  # (after: without a feed to add to, the error says it all)
        say(
            "warning: no site_url in the config: items without a url get no link "
            "and a non-permalink guid",
            err=True,
        )
    summary = f"{feed}: {update.added} added, {update.replaced} replaced"
    if update.dropped:
        summary += f", {update.dropped} oldest dropped (--max-items)"
    say(f"{summary}; {update.total} items", err=True)


@feed_app.command("remove")
@reports_errors
def feed_remove(
    items: Annotated[
        list[str],
        typer.Argument(metavar="GUID|ARTICLE...", help="Guids (or links) or article files."),
    ],
    feed: FeedOption,
    atom: AtomOption = None,
    json_feed: JsonFeedOption = None,
    config: ConfigOption = None,
    input_format: InputFormatOption = None,
) -> None:
    """Remove items from a feed by guid, link or article file."""
    from generator.channels.rss.item import identity
    from generator.clock import now
    from generator.config import load_config
    from generator.feedfile import Siblings, remove_items

    cfg = load_config(config)
    guids = [
        identity(load(item, cfg, input_format), cfg).guid if Path(item).is_file() else item
        for item in items
    ]
    removed = remove_items(feed, guids, cfg, now=now(), siblings=Siblings(atom, json_feed))
    if removed == 0:
        raise MastheadError("no item with that guid; the feed is unchanged", str(feed))
    say(f"{feed}: {removed} removed", err=True)
