"""schema.org ClaimReview JSON-LD for gold claims that have a verdict.

One ClaimReview per claim: `claimReviewed` is the claim's text; `reviewRating` carries the
verdict's name as `alternateName` and, where the project's rating scale gives it a number,
`ratingValue` with the scale's `bestRating` and `worstRating`; `itemReviewed` is a Claim
whose `author` is the claimant (the verdict's, else the source the claim is
`attributed_to`) and whose `appearance` is the article; `url` is the fact-check's page;
`author` is the publishing organisation from the project settings; `datePublished` is the
day the document was accepted. Google requires `claimReviewed`, `reviewRating` (with
`alternateName`) and `url`: a claim whose verdict has no fact-check URL is still exported,
and the job's report says which ones lack it.
"""

from typing import Any

from annotations.exporters.base import Exporter, JsonArray, iso
from annotations.exporters.records import DocumentRecord, LayerRecord, SpanRecord
from annotations.models import AssignmentKind

ORGANIZATION_TYPES = ("named_organization", "media_outlet", "document_or_data")
EMPTY_MESSAGE = (
    "The selection has no gold claim with a verdict on an accepted document, so the file is "
    "an empty list."
)


def _source(layer: LayerRecord, claim: SpanRecord) -> dict[str, Any] | None:
    spans = {span.id: span for span in layer.spans}
    for relation in layer.relations:
        if relation.type == "attributed_to" and relation.from_id == claim.id:
            source = spans.get(relation.to_id)
            if source is None:
                continue
            name = source.attributes.get("speaker_name") or source.quote
            kind = (
                "Organization"
                if source.attributes.get("source_type") in ORGANIZATION_TYPES
                else "Person"
            )
            return {"@type": kind, "name": name}
    return None


class ClaimReviewExporter(Exporter):
    extension = "jsonld"
    content_type = "application/ld+json; charset=utf-8"

    def begin(self) -> None:
        project = self.context.project
        self.scale = {entry["name"]: entry.get("value") for entry in project.rating_scale}
        numbers = [v for v in self.scale.values() if isinstance(v, int | float)]
        self.best = max(numbers) if numbers else None
        self.worst = min(numbers) if numbers else None
        organization = project.organization or {}
        self.author: dict[str, Any] = {
            "@type": "Organization",
            "name": organization.get("name") or project.name,
        }
        if organization.get("url"):
            self.author["url"] = organization["url"]
        if organization.get("logo"):
            self.author["logo"] = {"@type": "ImageObject", "url": organization["logo"]}
        self.reviews = JsonArray(self.out)

    def _review(
        self, document: DocumentRecord, layer: LayerRecord, claim: SpanRecord
    ) -> dict[str, Any]:
        verdict = claim.verdict or {}
        rating: dict[str, Any] = {"@type": "Rating", "alternateName": verdict["rating"]}
        value = self.scale.get(verdict["rating"])
        if isinstance(value, int | float) and self.best is not None:
            rating.update(ratingValue=value, bestRating=self.best, worstRating=self.worst)
        appearance: dict[str, Any] = {"@type": "NewsArticle", "headline": document.title}
        if document.source_url:
            appearance["url"] = document.source_url
        if document.published_at:
            appearance["datePublished"] = iso(document.published_at)
        if document.outlet:
            appearance["publisher"] = {"@type": "Organization", "name": document.outlet}
        claim_item: dict[str, Any] = {"@type": "Claim", "appearance": appearance}
        author = (
            {"@type": "Person", "name": verdict["claimant"]}
            if verdict.get("claimant")
            else _source(layer, claim)
        )
        if author is not None:
            claim_item["author"] = author
        if document.published_at:
            claim_item["datePublished"] = iso(document.published_at)
        review: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "claimReviewed": claim.quote,
            "reviewRating": rating,
            "itemReviewed": claim_item,
            "author": self.author,
        }
        if verdict.get("fact_check_url"):
            review["url"] = verdict["fact_check_url"]
        else:
            self.context.warnings.append(
                f"The verdict on claim {claim.id} (document {document.id}) has no fact-check "
                "URL, which Google requires."
            )
        if document.accepted_at:
            review["datePublished"] = document.accepted_at.date().isoformat()
        if verdict.get("summary"):
            review["headline"] = verdict["summary"]
        if verdict.get("explanation"):
            review["reviewBody"] = verdict["explanation"]
        return review

    def write(self, documents: list[DocumentRecord]) -> None:
        for document in documents:
            for layer in document.layers:
                if layer.kind != AssignmentKind.GOLD:
                    continue
                for span in layer.spans:
                    if span.label != "claim" or span.verdict is None:
                        continue
                    self.reviews.add(self._review(document, layer, span))

    def end(self) -> None:
        self.reviews.close()
        self.context.counts["claim_reviews"] = self.reviews.count
        if not self.reviews.count:
            self.context.warnings.append(EMPTY_MESSAGE)
