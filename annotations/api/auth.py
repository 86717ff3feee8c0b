from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.api.common import error_responses
from annotations.errors import Invalid
from annotations.throttling import SignInThrottle


class TokenApi(APIView):
    """Exchange a username and password for an API token."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [SignInThrottle]

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField()
        password = serializers.CharField(trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            **error_responses(429),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            raise Invalid(
                "invalid_credentials",
                "That username and password do not match an active account.",
                field="password",
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
