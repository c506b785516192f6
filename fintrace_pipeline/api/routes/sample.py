"""A reproducible monetary unit sample of a file's lines (see ``analytics.sampling``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.analytics.sampling import MAX_SAMPLE_SIZE, MAX_SEED, SamplingError, SamplingOptions
from fintrace_pipeline.api import params
from fintrace_pipeline.api.errors import BadRequest
from fintrace_pipeline.api.reader import reader
from fintrace_pipeline.api.responses import json_ok


def sampling_options(query) -> SamplingOptions:
    size = params.bounded_int(query, "size", 0, 1, MAX_SAMPLE_SIZE) or None
    confidence = params.optional_float(query, "confidence", 0.0, 1.0)
    tolerable = params.optional_float(query, "tolerable", 0.0, 1e15)
    seed = params.bounded_int(query, "seed", 0, 0, MAX_SEED)
    try:
        return SamplingOptions(size=size, confidence=confidence, tolerable=tolerable, seed=seed)
    except SamplingError as exc:
        raise BadRequest(f"{exc} (parameters size, or confidence and tolerable)") from None


async def sample(request: Request) -> Response:
    """A monetary unit sample of a file's lines, with the method and parameters that re-perform it.
    ---
    summary: Monetary unit sample of a file
    parameters:
      - {$ref: "#/components/parameters/FileId"}
      - {$ref: "#/components/parameters/SampleSize"}
      - {$ref: "#/components/parameters/Confidence"}
      - {$ref: "#/components/parameters/Tolerable"}
      - {$ref: "#/components/parameters/Seed"}
    responses:
      200: {description: "the selection: parameters, population, top stratum and the selected lines",
            content: {application/json: {schema: {$ref: "#/components/schemas/SampleResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    query = request.query_params
    file_id = params.required_uuid(query, "file_id")
    options = sampling_options(query)
    return json_ok({"sample": await reader(request).sample(file_id, options)})
