import threading

from fastapi import APIRouter

from sanctions_tracker.db import SessionDep
from sanctions_tracker.extraction import places, service
from sanctions_tracker.extraction.schemas import ExtractRequest, ExtractResult
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.routing import OneTripRoute

router = APIRouter(route_class=OneTripRoute, prefix="/v1", tags=["extraction"])

# The city index takes about a second to build: build it in the background as the app starts,
# so the first extraction answers as fast as the others.
threading.Thread(target=places.warm, name="gazetteer-warm-up", daemon=True).start()


@router.post(
    "/extract",
    summary="Draft records from an article's text",
    response_model=ExtractResult,
    responses=problem_responses(422),
)
def extract(session: SessionDep, payload: ExtractRequest) -> ExtractResult:
    """Read a wire story or an official readout and propose the engagements and sanctions
    rounds it reports, as a `sanctions-tracker-bundle/1` draft. **Nothing is stored**: review
    the draft, edit it and send it to `POST /v1/import`.

    - `bundle`: a `sources` record for the text; the `engagements` found (calls, meetings,
      visits, trips with one `visit` leg per city naming the trip as `parent`, ministerials,
      summits, statements) and the `sanctions_rounds` (planned or announced), each citing the
      sentence it came from as its source `quote`; and, in `actors`, the people the store
      does not know yet, with the title and country the text gives them. People the store
      knows (by name, alias, surname or title) are referred to by their keys. Keys never
      repeat a stored one, so an import adds records and overwrites none.
    - Relative dates are resolved against `published_on`: "on Tuesday" is the latest Tuesday
      on or before it (the next one when the clause speaks of the future), "earlier this
      week" the week's Monday with `date_precision` `week`, "next week" the following Monday,
      `week`, `planned`; "last month" the month's first day, `month`.
    - `evidence`: for each record, the sentence behind it with its character offsets in
      `text` (`text[start:end]`) and the confidence of the rule that found it.
    - A text with nothing to report (or not in English) gives an empty draft and a `notes`
      entry saying so. An empty `text`, or one over 100,000 characters, is a 422.

    Reading needs no more than reading the store does: open, or a `reader` key where the
    server requires one for reads.
    """
    return service.extract_draft(session, payload)
