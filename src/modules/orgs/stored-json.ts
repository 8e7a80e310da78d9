import { Type } from 'typebox';
import { storedJson } from '../../platform/stored-json.js';

/** `business_systems.events_json`: the event types a business system subscribed to. */
export const subscribedEventsJson = storedJson('business_systems.events_json', Type.Array(Type.String()));
