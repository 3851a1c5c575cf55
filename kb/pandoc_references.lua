-- Formats CSL-JSON works one at a time with pandoc's citeproc, in one `pandoc lua` process
-- (kb/formatting.py runs it; bench/formatting.py measures it against citeproc-js).
--
--   pandoc lua pandoc_references.lua < request.json > answer.json
--
-- request: {"csl": "/path/style.csl", "ids": [the works' ids], "outputs": ["text", "html", "markdown"],
--           "together": false, "numeric": false,
--           "bibliographies": [CSL-JSON files: one of all works when together, else one per work]}
-- answer:  {"references": [{"text": ..., "html": ...} or null per item, in order], "errors": {"index": "message"}}
--
-- A reference must depend only on its work and the style (no "2001a"/"2001b" or "———" between
-- works), so that it can be cached per work. With "together" false each work is formatted in a
-- bibliography of its own (about 20 ms a work: the style is read each time); with "together" true
-- all are formatted in one bibliography (about 3 ms a work), which is the same when the style's
-- rules between works are off (kb/pandoc_citeproc.py writes such a copy of the style) and a
-- numeric style's label is made "1" again, as it is for a work alone.
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

local function written(entry)
  entry = web_links_only(entry):walk({
    Para = function(para) -- a reference is a line of text, not a paragraph
      return pandoc.Plain(para.content)
    end,
    Span = function(span) -- citeproc wraps quoted text in spans that say nothing
      if span.identifier == "" and #span.classes == 0 and #span.attributes == 0 then
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
    bibliography = bibliography,
    csl = request.csl,
    ["link-bibliography"] = true,
    nocite = pandoc.read("@*", "markdown").blocks[1].content,
  })
  return pandoc.utils.citeproc(doc)
end

local function each(index, bibliography)
  local ok, result = pcall(function()
    local entry = nil
    citeproc(bibliography).blocks:walk({
      Div = function(div)
        if entry == nil and div.identifier:match("^ref%-") then
          entry = div
        end
      end,
    })
    return entry and written(entry) or pandoc.json.null
  end)
  if ok then
    references[index] = result
  else
    references[index] = pandoc.json.null
    errors[tostring(index - 1)] = tostring(result)
  end
end

local function together(bibliography)
  local entries = {}
  citeproc(bibliography).blocks:walk({
    Div = function(div)
      local id = div.identifier:match("^ref%-(.*)$")
      if id and entries[id] == nil then
        entries[id] = div
      end
    end,
  })
  for index, id in ipairs(request.ids) do
    local entry = entries[id]
    if entry == nil then
      references[index] = pandoc.json.null
    else
      if request.numeric then
        entry = first_number_is_one(entry)
      end
      references[index] = written(entry)
    end
  end
end

request = pandoc.json.decode(io.read("a"), false)
if request.together then
  together(request.bibliographies[1])
else
  for index, bibliography in ipairs(request.bibliographies) do
    each(index, bibliography)
  end
end
io.write(pandoc.json.encode({ references = references, errors = errors }))
