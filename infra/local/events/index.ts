export { eventsComponent, eventsComponentWith, type EventsComponentOptions } from './component.js';
export * from './constants.js';
export { parseChannel, channelMatches, WILDCARD_SEGMENT, type Channel } from './channel.js';
export { EventsError } from './errors.js';
export type { PublishResult, PublishedEvent, FailedEvent } from './sender.js';
