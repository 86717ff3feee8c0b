"""Django admin for site admins; project admins never need it."""

from django.contrib import admin

from annotations import models


@admin.register(models.Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "annotators_per_document", "allow_overlap", "deleted_at"]
    search_fields = ["name"]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "user", "role"]
    list_filter = ["role"]


@admin.register(models.Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "project", "status", "language", "deleted_at"]
    list_filter = ["status", "language"]
    search_fields = ["title", "outlet"]
    # The text is immutable once imported: a corrected article is a new document.
    readonly_fields = ["text", "text_hash"]


@admin.register(models.Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["id", "document", "annotator", "kind", "status"]
    list_filter = ["kind", "status"]


@admin.register(models.Span)
class SpanAdmin(admin.ModelAdmin):
    list_display = ["id", "assignment", "label", "start", "end", "quote"]
    list_filter = ["label"]
    readonly_fields = ["start", "end", "quote", "prefix", "suffix"]


@admin.register(models.Relation)
class RelationAdmin(admin.ModelAdmin):
    list_display = ["id", "type", "from_span", "to_span", "assignment"]


@admin.register(models.Verdict)
class VerdictAdmin(admin.ModelAdmin):
    list_display = ["id", "span", "rating", "updated_by"]


@admin.register(models.Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "document", "author", "created_at"]


@admin.register(models.CandidateDecision)
class CandidateDecisionAdmin(admin.ModelAdmin):
    list_display = ["id", "document", "kind", "candidate", "outcome", "decided_by", "decided_at"]
    list_filter = ["kind", "outcome"]


@admin.register(models.AgreementResult)
class AgreementResultAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "document", "metric", "label", "value", "computed_at"]
    list_filter = ["scope", "metric"]


@admin.register(models.Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "kind", "format", "status", "progress", "total"]
    list_filter = ["kind", "status"]


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    # The audit trail is evidence: every field of an event is read-only.
    readonly_fields = [field.name for field in models.AuditEvent._meta.fields]
