-- Formats CSL-JSON works one at a time with pandoc's citeproc, in one `pandoc lua` process
-- (kb/pandoc_citeproc.py runs it; bench/formatting.py measures it against citeproc-js).
--
--   pandoc lua pandoc_references.lua < request.json > answer.json
--
-- request: {"bibliographies": [{"path": CSL-JSON file, "csl": style file, "ids": [its works' ids],
--                               "indexes": [their places in the answer, from 1]}],
--           "outputs": ["text", "html", "markdown"], "together": true, "numeric": false,
--           "punctuation_in_quote": true}
-- answer:  {"references": [{"text": ..., "html": ...} or null per item, in order], "errors": {"index": "message"}}
--
-- A reference must depend only on its work and the style (no "2001a"/"2001b" or "———" between
-- works), so that it can be cached per work. With "together" false each work is in a
-- bibliography of its own (about 20 ms a work: the style is read each time); with "together" true
-- the works that need the same style copy are in one bibliography (about 3 ms a work), which is
-- the same when the style's rules between works are off (kb/pandoc_citeproc.py writes such a copy
-- of the style) and a numeric style's label is made "1" again, as it is for a work alone.
--
-- Where pandoc's citeproc writes punctuation and quotation marks otherwise than citeproc-js,
-- the entry is mended here (see kb/citeproc_differences.py for the rest).
local WRITERS = { text = "plain", html = "html", markdown = "commonmark" }
local OPTIONS = { wrap_text = "none" }
local request = nil
local references, errors = {}, {}

-- Links only to web addresses the work holds: a DOI (to doi.org) or a URL written as it is
-- linked. pandoc links a URL variable holding "javascript:..." as "https://javascript:...":
-- that stays text.
local function web_links_only(block)
  return block:walk({
    Link = function(link)
      local target = link.target
      local web = target:match("^[Hh][Tt][Tt][Pp][Ss]?://") ~= nil
      local doi = target:match("^https://doi%.org/") ~= nil
      if not web or not (doi or target == pandoc.utils.stringify(link.content)) then
        return link.content
      end
    end,
  })
end

-- kb/citeproc_differences.py's mark: what stands after it is the work's own text, not the style's.
local MARK = "\u{2060}"
local QUOTES = { ["\u{201C}"] = true, ["\u{201D}"] = true, ["\u{2018}"] = true, ["\u{2019}"] = true }
local MOVED_IN = { ["."] = true, [","] = true, ["!"] = true, ["?"] = true } -- not ";" or ":" (citeproc-js)

-- citeproc writes a quotation as a bare span: its mark, the words, its mark.
local function is_quotation(inline)
  if inline == nil or inline.t ~= "Span" or inline.identifier ~= "" or #inline.classes > 0 then
    return false
  end
  local content = inline.content
  return #content >= 2
    and content[1].t == "Str"
    and QUOTES[content[1].text] ~= nil
    and content[#content].t == "Str"
    and QUOTES[content[#content].text] ~= nil
end

-- Punctuation put inside a quotation, before its closing mark, and inside a quotation that ends
-- it ("the 'Republic.'" as citeproc-js writes it; pandoc writes "the 'Republic'."). The mark
-- before it lets resolve_marks apply citeproc-js's rules where it meets the words' own
-- punctuation ("Republic?" and "." give "Republic?").
local function sink(quotation, punctuation)
  local content = quotation.content
  local last_word = content[#content - 1]
  if is_quotation(last_word) then
    content[#content - 1] = sink(last_word, punctuation)
  else
    content:insert(#content, pandoc.Str(MARK .. punctuation))
  end
  quotation.content = content
  return quotation
end

-- Formatting that may close right after a quotation, with the style's punctuation after it
-- ("<i>... zur “damnatio memoriae”</i>."): citeproc-js moves that punctuation inside too.
local WRAPPERS = { Emph = true, Strong = true, Underline = true, SmallCaps = true, Span = true }

-- The inline with `punctuation` sunk into the quotation it ends with, or nil if it ends with none.
local function sink_at_end(inline, punctuation)
  if is_quotation(inline) then
    return sink(inline, punctuation)
  end
  if WRAPPERS[inline.t] and #inline.content > 0 then
    local content = inline.content
    local last = sink_at_end(content[#content], punctuation)
    if last ~= nil then
      content[#content] = last
      inline.content = content
      return inline
    end
  end
  return nil
end

local function punctuation_into_quotations(entry)
  return entry:walk({
    -- pandoc moved the style's punctuation inside the outer quotation only
    Span = function(span)
      if not is_quotation(span) then
        return nil
      end
      local content = span.content
      local n = #content
      local moved = content[n - 1]
      if n >= 4 and moved.t == "Str" and moved.text:match("^[.,!?]+$") and is_quotation(content[n - 2]) then
        content:remove(n - 1)
        content[n - 2] = sink(content[n - 2], moved.text)
        span.content = content
        return span
      end
    end,
    -- the style's punctuation after a quotation that ends a title it did not quote
    Inlines = function(inlines)
      local changed = false
      for i = #inlines - 1, 1, -1 do
        local after = inlines[i + 1]
        if after.t == "Str" and MOVED_IN[after.text:sub(1, 1)] then
          local sunk = sink_at_end(inlines[i], after.text:sub(1, 1))
          if sunk ~= nil then
            inlines[i] = sunk
            if #after.text > 1 then
              inlines[i + 1] = pandoc.Str(after.text:sub(2))
            else
              inlines:remove(i + 1)
            end
            changed = true
          end
        end
      end
      return changed and inlines or nil
    end,
  })
end

local function written(entry)
  entry = web_links_only(entry)
  if request.punctuation_in_quote then
    entry = punctuation_into_quotations(entry)
  end
  entry = entry:walk({
    Para = function(para) -- a reference is a line of text, not a paragraph
      return pandoc.Plain(para.content)
    end,
    Strong = function(strong) -- a bold title in a bold group: bold once, as citeproc-js writes it
      if #strong.content == 1 and strong.content[1].t == "Strong" then
        return strong.content[1]
      end
    end,
    Span = function(span) -- citeproc wraps quoted text in spans that say nothing; nocase is for citeproc only
      local plain = span.identifier == "" and #span.attributes == 0
      if plain and (#span.classes == 0 or (#span.classes == 1 and span.classes[1] == "nocase")) then
        return span.content
      end
    end,
  })
  local made = {}
  for _, output in ipairs(request.outputs) do
    local blocks = entry.content
    if output == "markdown" then -- Markdown has no divs or spans: their text only, not raw HTML
      blocks = blocks:walk({
        Div = function(div)
          return div.content
        end,
        Span = function(span)
          return span.content
        end,
      })
    end
    made[output] = pandoc.write(pandoc.Pandoc(blocks), WRITERS[output], OPTIONS)
  end
  return made
end

-- A numeric style's label: the first number in the entry, which is its place in the bibliography.
local function first_number_is_one(entry)
  local done = false
  return entry:walk({
    Str = function(str)
      if not done and str.text:match("%d") then
        done = true
        return pandoc.Str((str.text:gsub("%d+", "1", 1)))
      end
    end,
  })
end

-- The file is read by pandoc's own CSL-JSON reader (a "literal" date stays as written, which
-- it does not when the works go through pandoc.read and the document's metadata).
local function citeproc(bibliography)
  local doc = pandoc.Pandoc({}, {
    bibliography = bibliography.path,
    csl = bibliography.csl,
    ["link-bibliography"] = true,
    nocite = pandoc.read("@*", "markdown").blocks[1].content,
  })
  return pandoc.utils.citeproc(doc)
end

-- The entries of a bibliography by id (a bibliography of one work: its entry, whatever its id).
local function entries(bibliography)
  local found, first = {}, nil
  citeproc(bibliography).blocks:walk({
    Div = function(div)
      local id = div.identifier:match("^ref%-(.*)$")
      if id and found[id] == nil then
        found[id] = div
        first = first or div
      end
    end,
  })
  if #bibliography.ids == 1 then
    found[bibliography.ids[1]] = first
  end
  return found
end

local function format(bibliography)
  local found = entries(bibliography)
  for n, id in ipairs(bibliography.ids) do
    local entry = found[id]
    if entry ~= nil and request.numeric then
      entry = first_number_is_one(entry)
    end
    references[bibliography.indexes[n]] = entry and written(entry) or pandoc.json.null
  end
end

request = pandoc.json.decode(io.read("a"), false)
for _, bibliography in ipairs(request.bibliographies) do
  if request.together then
    format(bibliography) -- a failure fails the process: kb/pandoc_citeproc.py then formats each alone
  else
    local ok, message = pcall(format, bibliography)
    if not ok then
      for _, index in ipairs(bibliography.indexes) do
        references[index] = pandoc.json.null
        errors[tostring(math.tointeger(index) - 1)] = tostring(message)
      end
    end
  end
end
io.write(pandoc.json.encode({ references = references, errors = errors }))
