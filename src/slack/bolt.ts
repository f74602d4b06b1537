/**
 * The parts of Bolt that twokey runs. Bolt's package index also loads its Express and AWS
 * Lambda receivers, and with them Express and its middleware, which twokey never uses; going
 * past the index takes about a fifth off the time from start to ready.
 */
export { default as App, LogLevel } from '@slack/bolt/dist/App';
export { default as HTTPReceiver } from '@slack/bolt/dist/receivers/HTTPReceiver';
export { default as SocketModeReceiver } from '@slack/bolt/dist/receivers/SocketModeReceiver';
