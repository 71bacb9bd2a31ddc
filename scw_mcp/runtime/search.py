"""Search over operations: a lexical ranking (no model to download) whose words live in data/search.yaml.

A request is cut into words (lower case, plurals folded, "migrated" -> migrate), its phrases
replaced ("power off" -> stop, "load balancer" -> lb), and split into its object and its
context ("list the subnets | of a private network"). Each operation sharing a word with it is
scored on:

- the shared words, by rarity and by field (name, product, summary, parameter names, what the
  parameters hold, description), matched by root ("migration" ~ "migrate") and compounds split
  ("autobackup"), with synonyms, and a product's own words when the request names it; the
  object's last word (its head) counts most, the context less; less for each word of the name
  the request does not mention, and for each word of the request the operation does not hold;
- times how well the operation's verb answers the request's (the verb groups: "show" ->
  list/get, "power off" -> stop, "restart" -> reboot; a verb in a later clause counts less);
- times a penalty when the request names products ("kubernetes" -> k8s) the operation is not
  in; weak product words ("instance", "user") give way to another product named with them;
- and a destructive operation never ranks first unless the request asks to destroy ("delete a
  volume") or names its own destructive verb ("detach a volume" may lead with a detach, not a delete).

`SearchIndex(docs)` is cheap to make; it builds its index on the first search.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Any

from scw_mcp.safety import DESTRUCTIVE, load_rules


@dataclass(frozen=True)
class SearchDoc:
    """What search knows of one operation."""

    name: str
    product: str
    namespace: str
    summary: str
    description: str
    safety: str
    params: tuple[str, ...] = ()
    handwritten: bool = False
    details: tuple[str, ...] = ()  # what the parameters hold: nested field names, enum values (`schema_details`)
    param_text: str = ""  # what the parameters' descriptions say ("reverses": "Array of reverse domain names ...")


def schema_details(schema: dict[str, Any]) -> tuple[str, ...]:
    """The words inside a tool's parameters: field names one object down and enum values.

    "connect a MongoDB instance to a Private Network" is `mongodb_create_endpoint`, whose `endpoint`
    holds a `private_network`; "make an object public" is `put_object_acl`, whose `acl` may be `public-read`.
    """
    defs = schema.get("$defs", {})

    def resolve(prop: Any) -> dict[str, Any]:
        while isinstance(prop, dict):
            ref = prop.get("$ref") or next((p.get("$ref") for p in prop.get("allOf", ()) if isinstance(p, dict)), None)
            if ref is None:
                items = prop.get("items")
                if isinstance(items, dict) and ("$ref" in items or "properties" in items):
                    prop = items
                    continue
                return prop
            prop = defs.get(ref.rsplit("/", 1)[-1], {})
        return {}

    out: list[str] = []
    for prop in schema.get("properties", {}).values():
        target = resolve(prop)
        out += [str(v) for v in target.get("enum", ()) if isinstance(v, str)]
        for name, inner in target.get("properties", {}).items():
            out.append(name)
            out += [str(v) for v in resolve(inner).get("enum", ()) if isinstance(v, str)]
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Words:
    """data/search.yaml, stemmed once."""

    stopwords: frozenset[str]
    prepositions: frozenset[str]
    particles: frozenset[str]
    plurals: dict[str, str]
    phrases: dict[tuple[str, ...], tuple[str, ...]]
    verbs: dict[str, dict[str, float]]
    verbs_also_nouns: frozenset[str]
    operation_verbs: frozenset[str]
    products: dict[str, tuple[str, ...]]
    weak_product_words: frozenset[str]
    synonyms: dict[str, tuple[str, ...]]
    product_synonyms: dict[str, dict[str, tuple[str, ...]]]  # product -> word -> its words in that product
    destructive_words: frozenset[str]  # destroy_words and the verbs data/safety.yaml classes destructive
    destroy_words: frozenset[str]  # words that ask to destroy whatever the operation ("delete", "remove")
    weights: dict[str, float]


_WORD = re.compile(r"[a-z0-9]+")
_VERSION = re.compile(r"v\d+([a-z]+\d+)?")  # v2, v1alpha1: not words of the name


def stem(word: str, plurals: dict[str, str]) -> str:
    """Fold a plural onto its singular ("clusters" -> "cluster", "policies" -> "policy")."""
    if word in plurals:
        return plurals[word]
    if len(word) <= 3:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_SUFFIXES = ("ations", "ation", "ments", "ment", "ions", "ion", "ing", "ers", "er", "ed", "e")


def root(word: str) -> str:
    """What a word and its kin share, for matching: "migrate"/"migration", "deploy"/"deployment"."""
    if len(word) > 4 and not word.isdigit():
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                return word[: -len(suffix)]
    return word


def tokens(text: str, plurals: dict[str, str] | None = None) -> list[str]:
    plurals = words().plurals if plurals is None else plurals
    return [stem(w, plurals) for w in _WORD.findall(text.lower())]


@cache
def words() -> Words:
    """Load data/search.yaml (and the destructive verbs of data/safety.yaml) once."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when there
    data = yaml.load(resources.files("scw_mcp").joinpath("data/search.yaml").read_text(encoding="utf-8"), Loader=loader)
    plurals = {str(k): str(v) for k, v in data["plurals"].items()}

    def one(word: Any) -> str:
        if not isinstance(word, str):  # YAML reads a bare on/off/yes/no as a boolean
            raise TypeError(f"data/search.yaml: {word!r} is not a word; quote it")
        return stem(word.lower(), plurals)

    def many(text: Any) -> tuple[str, ...]:
        return tuple(w for part in ([text] if isinstance(text, str) else text) for w in tokens(str(part), plurals))

    verbs: dict[str, dict[str, float]] = {}
    for word, targets in data["verbs"].items():
        verbs[one(word)] = {str(verb): float(weight) for verb, weight in targets.items()}
    safety_destructive = {verb for verb, cls in load_rules().verbs.items() if cls == DESTRUCTIVE}
    return Words(
        stopwords=frozenset(one(w) for w in data["stopwords"]),
        prepositions=frozenset(one(w) for w in data["prepositions"]),
        particles=frozenset(one(w) for w in data["particles"]),
        plurals=plurals,
        phrases={many(key): tuple(one(w) for w in value) for key, value in data["phrases"].items()},
        verbs=verbs,
        verbs_also_nouns=frozenset(one(w) for w in data["verbs_also_nouns"]),
        operation_verbs=frozenset(str(v) for v in data["operation_verbs"]),
        products={one(word): tuple(map(str, products)) for word, products in data["products"].items()},
        weak_product_words=frozenset(one(w) for w in data["weak_product_words"]),
        synonyms={one(word): tuple(one(s) for s in syns) for word, syns in data["synonyms"].items()},
        product_synonyms={
            str(product): {one(word): tuple(one(s) for s in syns) for word, syns in table.items()}
            for product, table in data["product_synonyms"].items()
        },
        destructive_words=frozenset(one(w) for w in data["destructive_words"]) | safety_destructive,
        destroy_words=frozenset(one(w) for w in data["destructive_words"]),
        weights={str(k): float(v) for k, v in data["weights"].items()},
    )


@dataclass(frozen=True)
class Request:
    """A request as the ranking sees it."""

    terms: tuple[tuple[str, float, bool, str], ...]  # (word, weight, in the context?, the word said): words, synonyms
    intent: dict[str, float]  # operation verb -> how well it answers the request's verb
    products: frozenset[str]  # products the request names
    asks_destroy: bool  # it says a destroy word ("delete", "remove"): any destructive operation may lead
    destroys: frozenset[str]  # the destructive verbs it names ("detach"): operations doing them may lead


@dataclass(frozen=True)
class _Doc:
    """One indexed operation."""

    doc: SearchDoc
    verbs: frozenset[str]  # the name's verb and the summary's leading one ("Attach an Instance to a Private Network")
    nouns: frozenset[str]  # the name's words but its product and verb
    name_roots: int  # how many roots those words have
    prior: float  # what the request does not change: a non-default version, a hand-written tool
    product_size: int  # how many operations its product has


class SearchIndex:
    """Rank operations for plain-language requests."""

    def __init__(self, docs: Iterable[SearchDoc]):
        self.docs = tuple(docs)

    def search(self, query: str, product: str | None = None, safety: str | None = None, limit: int = 10) -> list[str]:
        """Names of the best operations for `query`, best first."""
        request, scored = self._scored(query, product, safety, limit)
        best = heapq.nsmallest(limit, scored)
        if best and best[0][3]:
            # the rule: a destructive operation never comes first unless the request asks for it
            # ("delete ...", or its own verb: "detach a volume" may lead with a detach, never a delete)
            harmless = min((item for item in scored if not item[3]), default=None)
            if harmless is not None:
                best = [harmless, *(item for item in best if item is not harmless)][:limit]
        return [item[2] for item in best]

    def rank(self, query: str, product: str | None = None, safety: str | None = None) -> list[tuple[float, str]]:
        """(score, name) of every operation that shares a word with the request, in `search`'s order."""
        names = self.search(query, product, safety, limit=len(self.docs))
        scores = {item[2]: -item[0] for item in self._scored(query, product, safety, len(self.docs))[1]}
        return [(scores[name], name) for name in names]

    def _scored(self, query: str, product: str | None, safety: str | None, limit: int) -> tuple[Request, list[tuple]]:
        """The request, and (-score, -product size, name, destructive and unasked?) of the candidates that can
        reach the first `limit` (or the first that may lead): smallest is best.

        Candidates are taken by their words' score, highest first; the factors (verb, product, prior) can
        only lower it but for the prior, so once a word score times the highest prior cannot beat the
        `limit`-th score found (and the best harmless one when a destructive one leads), the rest cannot place.
        """
        request = self.request(query)
        wt = words().weights
        docs, ceiling = self._docs, self._highest_prior
        scored: list[tuple] = []
        kept: list[float] = []  # the best `limit` final scores so far (a min-heap)
        best = best_harmless = None
        for i, score in sorted(self._lexical(request).items(), key=lambda item: -item[1]):
            bound = score * ceiling
            if (
                len(kept) == limit
                and bound < kept[0]
                and (best is None or not best[3] or (best_harmless is not None and bound < -best_harmless[0]))
            ):
                break
            entry = docs[i]
            doc = entry.doc
            if product and product not in (doc.product, doc.namespace):
                continue
            if safety and doc.safety != safety:
                continue
            # ties go to the bigger API: "create a group" is an IAM group before an autoscaling one
            unasked = doc.safety == DESTRUCTIVE and not (request.asks_destroy or entry.verbs & request.destroys)
            item = (-score * self._factor(entry, request, wt, unasked), -entry.product_size, doc.name, unasked)
            scored.append(item)
            if len(kept) < limit:
                heapq.heappush(kept, -item[0])
            elif -item[0] > kept[0]:
                heapq.heapreplace(kept, -item[0])
            if best is None or item < best:
                best = item
            if not unasked and (best_harmless is None or item < best_harmless):
                best_harmless = item
        return request, scored

    def request(self, query: str) -> Request:
        """What the ranking reads in a request: its words, the verbs it asks for, the products it names."""
        said, inflected = self._said(query)
        expanded = self._phrased(said)
        products, overridden = self._products(expanded)
        terms, head = self._terms(expanded, inflected, overridden, products)
        intent = self._intent(expanded)
        if "list" in intent and "get" in intent and head:
            # a plural object asks for a list ("show my clusters"), a single one for a get ("show the server")
            intent["get" if head[1] else "list"] *= words().weights["number"]
        said_words = {t for t, _, _ in [*said, *expanded]}
        asks_destroy = bool(said_words & words().destroy_words)
        destroys = frozenset(said_words & words().destructive_words)
        return Request(terms, intent, products, asks_destroy, destroys)

    def _said(self, query: str) -> tuple[list[tuple[str, bool, bool]], set[str]]:
        """The request's words, each (word, plural?, in the context?), and those said as inflected verbs.

        Once the object is named, a preposition or another verb opens the context ("list the subnets
        | of a private network", "which Kubernetes versions | can I upgrade my cluster to").
        """
        w = words()
        said: list[tuple[str, bool, bool]] = []
        inflected: set[str] = set()  # "running", "migrated": said as verbs, whatever else they name
        object_seen = context = False
        said_words = _WORD.findall(query.lower())
        for n, word in enumerate(said_words):
            base = stem(word, w.plurals)
            t = self._verb_form(base)
            following = said_words[n + 1] if n + 1 < len(said_words) else ""
            if t != base and word.endswith("ing") and following and following not in w.stopwords:
                continue  # an -ing form before a noun qualifies it, it opens no clause: "my email sending domain"
            if t != base:
                inflected.add(t)
            verb = self._verb_only(t) or t in inflected
            context = context or (object_seen and (t in w.prepositions or verb))
            if t in w.stopwords:
                continue
            said.append((t, base != word and word.endswith("s"), context))
            named = t in self._nouns or t in w.products or any(x in self._nouns for x in w.synonyms.get(t, ()))
            object_seen = object_seen or (named and not verb)  # "use IPMI | on a Dedibox server": ipmi -> bmc
        return said, inflected

    @staticmethod
    def _phrased(said: list[tuple[str, bool, bool]]) -> list[tuple[str, bool, bool]]:
        """Phrases replaced by their words, longest first ("power off" -> stop), then particles dropped."""
        w = words()
        out: list[tuple[str, bool, bool]] = []
        i = 0
        while i < len(said):
            for size in (3, 2):
                part = said[i : i + size]
                phrase = tuple(t for t, _, _ in part)
                if len(part) == size and phrase in w.phrases:
                    plural = any(p for _, p, _ in part)
                    out.extend((t, plural, part[0][2]) for t in w.phrases[phrase])
                    i += size
                    break
            else:
                out.append(said[i])
                i += 1
        return [item for item in out if item[0] not in w.particles]

    @staticmethod
    def _intent(expanded: list[tuple[str, bool, bool]]) -> dict[str, float]:
        """Operation verb -> how well it answers the request; the first verb is the request's, later ones count less."""
        w = words()
        intent: dict[str, float] = {}
        scale = 1.0
        for t, _, _ in expanded:
            asked = w.verbs.get(t) or ({t: 1.0} if t in w.operation_verbs else {})
            for verb, weight in asked.items():
                intent[verb] = max(intent.get(verb, 0.0), weight * scale)
            if asked:
                scale = w.weights["later_verb"]
        return intent

    @staticmethod
    def _products(expanded: list[tuple[str, bool, bool]]) -> tuple[frozenset[str], set[str]]:
        """The products named, and the weak product words another product overrides.

        A weak word ("instance", "user") names its product unless another product is named: in the
        object, anywhere ("a database in my Data Warehouse"); in the context, there ("attach a file
        system | to an Instance" stays an Instance operation).
        """
        w = words()
        strong: dict[bool, set[str]] = {False: set(), True: set()}  # in the context? -> products named
        for t, _, ctx in expanded:
            if t not in w.weak_product_words:
                strong[ctx].update(w.products.get(t, ()))
        overridden = set()
        for t, _, ctx in expanded:
            others = strong[ctx] if ctx else strong[False] | strong[True]
            if t in w.weak_product_words and others and not others & set(w.products.get(t, ())):
                overridden.add(t)
        products = frozenset(p for t, _, _ in expanded if t not in overridden for p in w.products.get(t, ()))
        return products, overridden

    def _terms(
        self,
        expanded: list[tuple[str, bool, bool]],
        inflected: set[str],
        overridden: set[str],
        products: frozenset[str],
    ) -> tuple[tuple[tuple[str, float, bool, str], ...], tuple[str, bool] | None]:
        """(word, weight, in the context?, the word said) of the words to match, and the head of the object."""
        w = words()
        wt = w.weights
        # the head: the object's last word that operation names use ("delete an image tag", "a snapshot")
        objects = [
            (t, plural)
            for t, plural, in_context in expanded
            if not in_context and not self._verb_only(t) and t not in inflected
        ]
        head = next((item for item in reversed(objects) if item[0] in self._nouns), objects[0] if objects else None)
        terms: dict[str, tuple[float, bool, str]] = {}

        def add(term: str, weight: float, in_context: bool, said: str) -> None:
            if weight > terms.get(term, (0.0, False, ""))[0]:
                terms[term] = (weight, in_context, said)

        before_head = True
        for t, plural, in_context in expanded:
            weight = wt["context"] if in_context else 1.0
            if head == (t, plural):
                weight, before_head = wt["head"], False
            elif before_head and not in_context:
                weight = wt["modifier"]  # "a Serverless Containers namespace": containers qualify the namespace
            if not self._verb_only(t) and t not in inflected:  # "show", "create" ask through the intent
                add(t, weight, in_context, t)
            for syn in () if t in overridden else w.synonyms.get(t, ()):
                add(syn, weight * wt["synonym"], in_context, t)
            for product in products:  # a product's own word: an image's "versions" are its tags in the registry
                for syn in w.product_synonyms.get(product, {}).get(t, ()):
                    add(syn, weight * wt["synonym"], in_context, t)
        return tuple((t, weight, ctx, said) for t, (weight, ctx, said) in terms.items()), head

    def _verb_only(self, word: str) -> bool:
        w = words()
        return word in w.verbs and word not in w.verbs_also_nouns

    def _verb_form(self, word: str) -> str:
        """'migrated' -> 'migrate', 'attached' -> 'attach', 'running' -> 'run': the verbs this search knows."""
        known = self._verbs
        if word in known or word in self._nouns or len(word) < 5:  # "settings" is no form of "set"
            return word
        for suffix in ("ed", "ing"):
            if word.endswith(suffix):
                stem_ = word[: -len(suffix)]
                for candidate in (stem_, stem_ + "e", stem_[:-1]):
                    if candidate in known:
                        return candidate
        return word

    # --- the index -----------------------------------------------------------------------
    @cached_property
    def _built(self) -> tuple[tuple[_Doc, ...], dict[str, list[tuple[int, float, float]]], frozenset[str]]:
        w = words()
        wt = w.weights
        aliases: dict[str, set[str]] = defaultdict(set)  # product -> the words that name it
        for word, products in w.products.items():
            for p in products if word not in w.weak_product_words else ():
                aliases[p].add(word)
        entries, postings = [], defaultdict(list)
        sizes: dict[str, int] = defaultdict(int)
        for doc in self.docs:
            sizes[doc.product] += 1
        nouns_all: set[str] = set()
        for i, doc in enumerate(self.docs):
            rest = doc.name[len(doc.namespace) + 1 :] if doc.name.startswith(doc.namespace + "_") else doc.name
            rest_tokens = tokens(rest.replace("_", " "), w.plurals)
            verb = next((t for t in rest_tokens if t in w.operation_verbs), "")
            nouns = [t for t in rest_tokens if t != verb and t not in w.stopwords and not _VERSION.fullmatch(t)]
            nouns_all.update(nouns)
            product_tokens = {
                doc.product,
                doc.namespace,
                *tokens(doc.product.replace("_", " "), w.plurals),
                *aliases.get(doc.product, ()),
            }
            summary = set(tokens(doc.summary, w.plurals))
            fields = (
                (set(nouns), wt["name"]),
                (product_tokens, wt["product"]),
                (summary, wt["summary"]),
                ({t for p in doc.params for t in tokens(p.replace("_", " "), w.plurals)}, wt["params"]),
                ({t for p in doc.details for t in tokens(p.replace("_", " "), w.plurals)}, wt["details"]),
                (set(tokens(doc.description, w.plurals)) - summary, wt["description"]),
                (set(tokens(doc.param_text, w.plurals)), wt["param_text"]),
            )
            weight: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])  # root -> [in the name, elsewhere]
            for n, (field, field_weight) in enumerate(fields):
                for t in {root(t) for t in field}:
                    weight[t][0 if n == 0 else 1] += field_weight
            for t, (in_name, elsewhere) in weight.items():
                postings[t].append((i, in_name, elsewhere))
            said = tokens(doc.summary, w.plurals)[:1]
            verbs = {verb, *(t for t in said if t in w.operation_verbs or t in w.verbs)} - {""}
            prior = wt["other_version"] if doc.namespace != doc.product else 1.0
            prior *= wt["handwritten"] if doc.handwritten else 1.0
            entries.append(
                _Doc(doc, frozenset(verbs), frozenset(nouns), len({root(t) for t in nouns}), prior, sizes[doc.product])
            )
        return tuple(entries), dict(postings), frozenset(nouns_all)

    @property
    def _docs(self) -> tuple[_Doc, ...]:
        return self._built[0]

    @property
    def _nouns(self) -> frozenset[str]:
        return self._built[2]

    @cached_property
    def _highest_prior(self) -> float:
        """The most the factors can raise a word score (every other factor is at most 1)."""
        return max((entry.prior for entry in self._docs), default=1.0)

    @cached_property
    def _verbs(self) -> frozenset[str]:
        w = words()
        return frozenset(w.verbs) | w.operation_verbs | w.destructive_words

    @cached_property
    def _idf(self) -> dict[str, float]:
        total = len(self.docs)
        return {t: math.log(1 + total / len(posts)) for t, posts in self._built[1].items()}

    def _roots(self, request: Request) -> dict[str, tuple[float, bool, str]]:
        """The request's words as the index keys them: roots, and the parts of unknown compounds ("autobackup")."""
        postings, split = self._built[1], words().weights["compound_part"]
        out: dict[str, tuple[float, bool, str]] = {}
        for term, weight, in_context, said in request.terms:
            key = root(term)
            parts = [(key, weight)] if key in postings else [(p, weight * split) for p in self._split(term)]
            for part, part_weight in parts:
                if part_weight > out.get(part, (0.0, False, ""))[0]:
                    out[part] = (part_weight, in_context, said)
        return out

    def _split(self, word: str) -> list[str]:
        """An unknown compound as two known words, the most even cut first: "autobackup" -> auto, backup."""
        postings = self._built[1]
        for i in sorted(range(3, len(word) - 2), key=lambda i: -min(i, len(word) - i)):
            head, tail = root(word[:i]), root(word[i:])
            if head in postings and tail in postings:
                return [head, tail]
        return []

    def _lexical(self, request: Request) -> dict[int, float]:
        postings, idf, wt = self._built[1], self._idf, words().weights
        scores: dict[int, float] = {}
        in_name: dict[int, int] = {}  # how many of the doc's name words the request matched
        said_roots: dict[str, list[tuple[str, float, bool]]] = defaultdict(list)  # word said -> its roots, synonyms'
        for term, (weight, in_context, said) in self._roots(request).items():
            said_roots[said].append((term, weight, in_context))
        covered: dict[int, float] = {}  # the weight of the words said an operation holds
        total = 0.0
        for group in said_roots.values():
            said_weight = max(weight for _, weight, _ in group)
            total += said_weight
            seen: set[int] = set()
            for term, weight, in_context in group:
                base = weight * idf.get(term, 0.0)
                # the context says where, the object what: a context word counts less in a name
                name_weight = wt["context_in_name"] if in_context else 1.0
                for i, name_value, other_value in postings.get(term, ()):
                    scores[i] = scores.get(i, 0.0) + base * (name_value * name_weight + other_value)
                    if i not in seen:
                        seen.add(i)
                        covered[i] = covered.get(i, 0.0) + said_weight
                    if name_value:
                        in_name[i] = in_name.get(i, 0) + 1
        unmatched, docs, power, total = wt["unmatched_name_word"], self._docs, wt["coverage"], total or 1.0
        # less for each word of the name the request does not mention, and for each word of the request
        # the operation does not hold ("attach a file system | to an Instance": file_create_file_system lacks one)
        return {
            i: score / (1 + unmatched * max(0, docs[i].name_roots - in_name.get(i, 0))) * (covered[i] / total) ** power
            for i, score in scores.items()
        }

    def _factor(self, entry: _Doc, request: Request, wt: dict[str, float], unasked: bool) -> float:
        doc = entry.doc
        factor = entry.prior
        if request.intent:
            answered = [request.intent[v] for v in entry.verbs if v in request.intent]
            factor *= max(answered) if answered else wt["verb_missing"] if entry.verbs else wt["verb_unknown"]
        else:  # no verb asked: a look is the harmless guess
            factor *= wt["no_verb_read"] if entry.verbs & {"list", "get"} else wt["no_verb_other"]
        if request.products and doc.product not in request.products and doc.namespace not in request.products:
            factor *= wt["other_product"]
        if unasked:
            factor *= wt["destructive_unasked"]
        return factor
