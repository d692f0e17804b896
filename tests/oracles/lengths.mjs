// Length oracles for Masthead's tests: each platform's count, worked out with
// the platform's own JavaScript library where one is published, and from its
// published rule otherwise. Nothing here shares code with Masthead's counters
// (generator/text/counting.py): that is the point.
//
// Protocol: one JSON array of requests per line on stdin, one JSON array of
// answers per line on stdout, in the same order. A request is
// {"platform": NAME, "text": TEXT}; the answer always has "length" (the number
// the platform compares with its limit) and, per platform, what else the
// tests check:
//
//   x             twitter-text's parseTweet (the reference implementation):
//                 length = weightedLength (URLs 23, emoji 2, CJK 2).
//   bluesky       the text as stored in the record: length = RichText's
//                 graphemeLength, bytes = its UTF-8 length.
//   bluesky-app   the text as pasted into the Bluesky app: RichText finds the
//                 facets, then each link's text is shortened the way the app
//                 does before posting (host + path, a path longer than 15
//                 characters cut to 13 and "..."); answers the posted text,
//                 its facets (byte offsets; a link's also says how it was
//                 "typed"), length and bytes.
//   mastodon      Mastodon's StatusLengthValidator: URLs with a scheme, as
//                 twitter-text extracts them, count 23; "@user@domain"
//                 mentions count as "@user"; the rest counts grapheme clusters.
//   threads       Meta's documented rule: 500 characters, "emojis are counted
//                 as the number of UTF-8 bytes"; links = distinct URLs
//                 (twitter-text's extractor, with or without a scheme);
//                 ambiguous = a cluster that is no emoji holds an emoji
//                 joiner or selector (a ZWJ after a letter), which the rule
//                 leaves open.
//   linkedin      UTF-16 code units (JavaScript's own string length).

import { createInterface } from 'node:readline'
import { RichText, UnicodeString } from '@atproto/api'
import twitter from 'twitter-text'

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' })
const utf8 = new TextEncoder()

function graphemes(text) {
  return Array.from(graphemeSegmenter.segment(text), (part) => part.segment)
}

// --- X ---------------------------------------------------------------------------

function x(text) {
  const parsed = twitter.parseTweet(text)
  return { length: parsed.weightedLength, valid: parsed.valid }
}

// --- Bluesky -----------------------------------------------------------------------

function bluesky(text) {
  const rich = new RichText({ text })
  return { length: rich.graphemeLength, bytes: rich.length }
}

// The Bluesky app shows a link typed with its scheme as host + path, cutting a
// path (query and fragment included) longer than 15 characters to its first
// 13 and "...". A link typed without a scheme fails to parse as a URL and is
// left as typed.
function appLinkText(typed) {
  let url
  try {
    url = new URL(typed)
  } catch {
    return typed
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return typed
  const path = (url.pathname === '/' ? '' : url.pathname) + url.search + url.hash
  return url.host + (path.length > 15 ? `${path.slice(0, 13)}...` : path)
}

function isLink(facet) {
  return facet.features.some((feature) => feature.$type === 'app.bsky.richtext.facet#link')
}

function blueskyApp(text) {
  const detected = new RichText({ text })
  detected.detectFacetsWithoutResolution()
  const source = new UnicodeString(text)
  // Rebuild the text with each link's shown text, moving every facet by
  // what the links before it gained or lost (facets are in UTF-8 bytes).
  const facets = [...(detected.facets ?? [])].sort((a, b) => a.index.byteStart - b.index.byteStart)
  const pieces = []
  const moved = []
  let cursor = 0
  let shift = 0
  for (const facet of facets) {
    const { byteStart, byteEnd } = facet.index
    const start = byteStart + shift
    if (isLink(facet)) {
      const typed = source.slice(byteStart, byteEnd)
      const shown = appLinkText(typed)
      pieces.push(source.slice(cursor, byteStart), shown)
      cursor = byteEnd
      const shownBytes = utf8.encode(shown).length
      // "typed" (not part of a facet) tells a link typed with its scheme
      // from a bare domain, which look alike once shortened.
      moved.push({ ...facet, index: { byteStart: start, byteEnd: start + shownBytes }, typed })
      shift += shownBytes - (byteEnd - byteStart)
    } else {
      moved.push({ ...facet, index: { byteStart: start, byteEnd: byteEnd + shift } })
    }
  }
  pieces.push(source.slice(cursor))
  const posted = pieces.join('')
  const rich = new RichText({ text: posted })
  return { text: posted, facets: moved, length: rich.graphemeLength, bytes: rich.length }
}

// --- Mastodon ----------------------------------------------------------------------

const MASTODON_URL_LENGTH = 23
// Mastodon's Account::MENTION_RE: "@" not after "=", "/" or a word character,
// a username (letters, digits, "_", with "." or "-" between them) and an
// optional "@domain" of word characters joined by "." or "-". A word
// character is what Ruby's [[:word:]] is: a letter, mark, decimal digit or
// connector punctuation.
const WORD = '[\\p{L}\\p{M}\\p{Nd}\\p{Pc}]'
const MENTION = new RegExp(
  `(?<![=/]|${WORD})@((?:[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@${WORD}+(?:[.-]+${WORD}+)*)?)`,
  'giu',
)

function mastodonMentions(text) {
  const found = []
  for (const match of text.matchAll(MENTION)) {
    const end = match.index + match[0].length
    // Mastodon's extractor drops a match followed by "@", an accented Latin
    // letter or "://" (twitter-text's end-of-mention rule).
    if (twitter.regexen.endMentionMatch.test(text.slice(end))) continue
    found.push({ screenName: match[1], indices: [match.index, end] })
  }
  return found
}

function mastodon(text) {
  const entities = [
    ...twitter.extractUrlsWithIndices(text, { extractUrlsWithoutProtocol: false }),
    ...mastodonMentions(text),
  ]
  twitter.removeOverlappingEntities(entities) // sorts by start, drops overlaps
  let countable = ''
  let cursor = 0
  for (const entity of entities) {
    countable += text.slice(cursor, entity.indices[0])
    countable +=
      entity.url !== undefined ? 'x'.repeat(MASTODON_URL_LENGTH) : `@${entity.screenName.split('@')[0]}`
    cursor = entity.indices[1]
  }
  countable += text.slice(cursor)
  return { length: graphemes(countable).length }
}

// --- Threads -----------------------------------------------------------------------

// An emoji: a cluster Unicode lists as an emoji (RGI), or one holding a
// pictographic code point, a flag letter or a skin tone.
const RGI_EMOJI = /^\p{RGI_Emoji}$/v
const EMOJI_PART = /[\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Modifier}]/u
// Emoji joiners and selectors (ZWJ, VS15, VS16, the keycap mark, tags):
// on a character that is no emoji, the rule does not say how they count.
const EMOJI_GLUE = /[\u200d\ufe0e\ufe0f\u20e3\u{e0020}-\u{e007f}]/u

function threads(text) {
  let length = 0
  let ambiguous = false
  for (const cluster of graphemes(text)) {
    if (RGI_EMOJI.test(cluster) || EMOJI_PART.test(cluster)) {
      length += utf8.encode(cluster).length
    } else {
      length += 1
      ambiguous ||= EMOJI_GLUE.test(cluster)
    }
  }
  const links = new Set(twitter.extractUrls(text)).size
  return { length, links, ambiguous }
}

// --- LinkedIn ----------------------------------------------------------------------

function linkedin(text) {
  return { length: text.length }
}

const ORACLES = { x, bluesky, 'bluesky-app': blueskyApp, mastodon, threads, linkedin }

function answer(request) {
  const oracle = ORACLES[request.platform]
  if (!oracle) return { error: `no oracle for platform ${JSON.stringify(request.platform)}` }
  if (typeof request.text !== 'string') return { error: 'text must be a string' }
  return oracle(request.text)
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of lines) {
  let answers
  try {
    answers = JSON.parse(line).map(answer)
  } catch (error) {
    answers = { error: String(error?.stack ?? error) }
  }
  process.stdout.write(`${JSON.stringify(answers)}\n`)
}
