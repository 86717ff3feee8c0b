from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.api.common import acting_user, error_responses, versioned_changes
from annotations.api.pagination import Pagination, paginated_response
from annotations.api.schema import PAGE_PARAMETERS, paginated
from annotations.api.serializers import (
    MembershipOutputSerializer,
    ProjectOutputSerializer,
    project_shown_to,
)
from annotations.models import Membership, Project, Role
from annotations.selectors import projects as selectors
from annotations.selectors.access import project_get_for_user
from annotations.services import projects as services


def _roles(request: Request, projects: list[Project]) -> dict[int, str | None]:
    if getattr(request.user, "is_superuser", False):
        return {p.pk: Role.ADMIN.value for p in projects}
    memberships = Membership.objects.filter(
        user=acting_user(request), project__in=projects
    ).values_list("project_id", "role")
    return dict(memberships)


class ProjectFieldsSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    guidelines = serializers.CharField(required=False, allow_blank=True, max_length=200_000)
    label_schema = serializers.JSONField(required=False)
    annotators_per_document = serializers.IntegerField(required=False, min_value=1, max_value=20)
    allow_overlap = serializers.BooleanField(required=False)
    rating_scale = serializers.JSONField(required=False)
    organization = serializers.DictField(required=False)


class ProjectListApi(APIView):
    @extend_schema(
        operation_id="projects_list",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(ProjectOutputSerializer), **error_responses()},
    )
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.project_list(user=request.user), request)
        projects = list(page or [])
        serializer = ProjectOutputSerializer(
            projects, many=True, context={"roles": _roles(request, projects)}
        )
        return paginator.get_paginated_response(serializer.data)

    @extend_schema(
        request=ProjectFieldsSerializer,
        responses={201: ProjectOutputSerializer, **error_responses()},
    )
    def post(self, request: Request) -> Response:
        data = ProjectFieldsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(actor=acting_user(request), **data.validated_data)
        serializer = ProjectOutputSerializer(project, context={"roles": {project.pk: "admin"}})
        return Response(serializer.data, status=201)


class ProjectDetailApi(APIView):
    class UpdateSerializer(ProjectFieldsSerializer):
        name = serializers.CharField(max_length=200, required=False)
        version = serializers.IntegerField(required=False)

    @extend_schema(responses={200: ProjectOutputSerializer, **error_responses()})
    def get(self, request: Request, project_id: int) -> Response:
        project = project_get_for_user(user=request.user, project_id=project_id)
        return Response(project_shown_to(request.user, project))

    @extend_schema(
        request=UpdateSerializer,
        responses={200: ProjectOutputSerializer, **error_responses(409)},
    )
    def patch(self, request: Request, project_id: int) -> Response:
        project = project_get_for_user(user=request.user, project_id=project_id, minimum=Role.ADMIN)
        version, changes = versioned_changes(request, self.UpdateSerializer)
        project = services.project_update(
            project=project, actor=acting_user(request), version=version, **changes
        )
        context = {"roles": {project.pk: Role.ADMIN.value}}
        return Response(ProjectOutputSerializer(project, context=context).data)

    @extend_schema(responses={204: None, **error_responses()})
    def delete(self, request: Request, project_id: int) -> Response:
        project = project_get_for_user(user=request.user, project_id=project_id, minimum=Role.ADMIN)
        services.project_delete(project=project, actor=acting_user(request))
        return Response(status=204)


class MembershipListApi(APIView):
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        role = serializers.ChoiceField(choices=Role.choices)

    @extend_schema(
        operation_id="projects_members_list",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(MembershipOutputSerializer), **error_responses()},
    )
    def get(self, request: Request, project_id: int) -> Response:
        memberships = selectors.membership_list(user=request.user, project_id=project_id)
        return paginated_response(request, memberships, MembershipOutputSerializer)

    @extend_schema(
        request=InputSerializer,
        responses={201: MembershipOutputSerializer, **error_responses(409)},
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = project_get_for_user(user=request.user, project_id=project_id, minimum=Role.ADMIN)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_create(
            project=project, actor=acting_user(request), **data.validated_data
        )
        return Response(MembershipOutputSerializer(membership).data, status=201)


class MembershipDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=Role.choices)
        version = serializers.IntegerField(required=False)

    @extend_schema(
        request=InputSerializer,
        responses={200: MembershipOutputSerializer, **error_responses(409)},
    )
    def patch(self, request: Request, project_id: int, username: str) -> Response:
        membership = selectors.membership_get(
            user=request.user, project_id=project_id, username=username
        )
        version, changes = versioned_changes(request, self.InputSerializer)
        membership = services.membership_update(
            membership=membership, actor=acting_user(request), role=changes["role"], version=version
        )
        return Response(MembershipOutputSerializer(membership).data)

    @extend_schema(responses={204: None, **error_responses(409)})
    def delete(self, request: Request, project_id: int, username: str) -> Response:
        membership = selectors.membership_get(
            user=request.user, project_id=project_id, username=username
        )
        services.membership_delete(membership=membership, actor=acting_user(request))
        return Response(status=204)
