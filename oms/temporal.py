"""The Temporal client every entry point uses: the pydantic data converter, always."""

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from oms.settings import Settings


async def connect(settings: Settings) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
    )


async def register_search_attributes(client: Client) -> None:
    """Register the OMS search attributes on a server started without them (e.g. the time-skipping server)."""
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest

    from domain.ids import SEARCH_ATTRIBUTES

    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={
                key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for key in SEARCH_ATTRIBUTES
            },
        )
    )
