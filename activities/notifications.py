"""Customer notification adapter: the messages the workflows send, through the messenger
(services/customer_messages.py: rendered in the customer's language, delivered once per channel)."""

from temporalio import activity

from domain import ids
from domain.notifications import CustomerNotification, StoreReminder
from services.customer_messages import Messenger
from workflows.activities import NotificationSteps


class NotificationActivities(NotificationSteps):
    def __init__(self, messenger: Messenger) -> None:
        self._messenger = messenger

    @activity.defn(name=ids.ACTIVITY_NOTIFY_CUSTOMER)
    async def notify_customer(self, message: CustomerNotification) -> list[str]:
        """Deliver on the customer's channels; returns the channels the message reached."""
        return await self._messenger.tell_customer(message)

    @activity.defn(name=ids.ACTIVITY_REMIND_STORE)
    async def remind_store(self, reminder: StoreReminder) -> bool:
        """Tell the store an order is at risk of missing its deadline (once per deadline and route)."""
        return await self._messenger.remind_store(reminder)
