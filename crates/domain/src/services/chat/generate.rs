//! Generate, the fourth step: the model call, whole or streamed, with the memories
//! detected in the prompt saved beside it. A stream's generation runs as a task of its
//! own: a client that disconnects stops receiving, not generating. Shutdown stops a
//! generation that is still running when the server's grace ends; what it produced is
//! kept and the message says why it stopped.

use futures_channel::mpsc::channel;
use futures_util::future::{BoxFuture, Either, join, ready, select};
use futures_util::stream::StreamExt;

use super::answer::{Call, Prepared};
use super::budget::Slot;
use super::events::Outlet;
use super::finish::Finished;
use super::guard::Claim;
use super::open::AnswerSlot;
use super::{ChatError, ChatService, TurnEvent, TurnStream};
use crate::ports::{LlmError, LlmStream, ProviderKind, StreamEvent};
use crate::{ModelName, Usage};

/// Why generation ended early.
#[derive(Debug)]
pub(super) enum Failure {
    Upstream(LlmError),
    /// The server shut down while the answer was being written.
    Interrupted,
}

/// What the model produced before it finished or failed.
#[derive(Debug, Default)]
pub(super) struct Generated {
    pub content: String,
    pub usage: Option<Usage>,
    pub model: Option<ModelName>,
    pub finish_reason: Option<String>,
    pub tool_calls: Option<serde_json::Value>,
    pub failure: Option<Failure>,
}

/// The model call of a streamed answer, started before its stream is handed over.
type UpstreamStart = BoxFuture<'static, Result<LlmStream, LlmError>>;

impl ChatService {
    /// The whole answer, then the finish step.
    pub(super) async fn generate(&self, prepared: Prepared, call: Call) -> Finished {
        let call = call.provider.complete(call.request);
        let call = prepared.timeline.time("upstream", call);
        let stopping = self.ports.tasks.stopping();
        let generation = async {
            match select(Box::pin(call), stopping).await {
                Either::Left((Ok(completion), _)) => Generated {
                    content: completion.content,
                    usage: Some(completion.usage),
                    model: completion.model,
                    finish_reason: completion.finish_reason,
                    tool_calls: completion.tool_calls,
                    failure: None,
                },
                Either::Left((Err(error), _)) => Generated {
                    failure: Some(Failure::Upstream(error)),
                    ..Generated::default()
                },
                Either::Right(_) => Generated {
                    failure: Some(Failure::Interrupted),
                    ..Generated::default()
                },
            }
        };
        let (generated, saved) = join(generation, self.remember(&prepared)).await;
        self.finish(prepared, generated, saved).await
    }

    /// Starts a streamed answer. The model call starts at once; in an existing chat
    /// the answer's message is appended while the call connects, and the stream is
    /// handed over once that message is stored too.
    pub(super) async fn start_stream(
        &self,
        mut prepared: Prepared,
        call: Call,
        claim: Option<Claim>,
        slot: Option<Slot>,
    ) -> Result<TurnStream, ChatError> {
        let Call { provider, request } = call;
        let started = prepared.timeline.clone();
        let upstream: UpstreamStart =
            Box::pin(async move { started.time("upstream", provider.stream(request)).await });
        let upstream = match self.reserve(&mut prepared, upstream).await {
            Ok(upstream) => upstream,
            Err(error) => {
                self.settle(claim.as_ref(), None).await;
                self.free(slot).await;
                return Err(error);
            }
        };
        let (sender, receiver) = channel(self.policy.stream_buffer);
        let stream = TurnStream {
            chat_id: prepared.chat.as_ref().map(|chat| chat.id),
            message_id: prepared.answer.id,
            model: prepared.model.clone(),
            events: receiver.boxed(),
        };
        let logged = prepared.chat.as_ref().map(|_| {
            let ttl = self.policy.answer_log_ttl;
            (self.ports.answers.clone(), prepared.answer.id, ttl)
        });
        let outlet = Outlet::new(
            sender,
            logged,
            self.ports.tasks.clone(),
            self.policy.stream_stall,
        );
        let service = self.clone();
        self.ports.tasks.spawn(Box::pin(async move {
            let generation = service.relay(prepared, upstream, outlet, claim.as_ref());
            let generation = service.hold(claim.as_ref(), generation);
            Box::pin(service.occupy(slot.as_ref(), generation)).await;
            service.free(slot).await;
        }));
        Ok(stream)
    }

    /// Stores the answer's message of a stream in an existing chat while the model
    /// call connects.
    async fn reserve(
        &self,
        prepared: &mut Prepared,
        upstream: UpstreamStart,
    ) -> Result<UpstreamStart, ChatError> {
        let (AnswerSlot::Pending, Some(chat)) = (prepared.slot, &prepared.chat) else {
            return Ok(upstream);
        };
        let store = async {
            let append = self
                .ports
                .chats
                .append_message(chat.owner, &prepared.answer);
            let stored = prepared.timeline.time("placeholder", append).await?;
            if stored {
                let invalidate = self.invalidate(chat.id);
                prepared.timeline.time("invalidate", invalidate).await;
            }
            Ok::<_, ChatError>(stored)
        };
        let (stored, upstream) = match select(Box::pin(store), upstream).await {
            Either::Left((stored, pending)) => (stored, pending),
            Either::Right((started, store)) => {
                (store.await, Box::pin(ready(started)) as UpstreamStart)
            }
        };
        if !stored? {
            return Err(ChatError::NotFound);
        }
        prepared.slot = AnswerSlot::Reserved;
        Ok(upstream)
    }

    /// Follows the upstream's events to the client, then finishes the turn and sends
    /// its last event.
    async fn relay(
        &self,
        prepared: Prepared,
        upstream: UpstreamStart,
        mut events: Outlet,
        claim: Option<&Claim>,
    ) {
        let mut stopping = self.ports.tasks.stopping();
        let follow = async {
            let mut generated = Generated::default();
            let mut upstream = match select(upstream, &mut stopping).await {
                Either::Left((Ok(upstream), _)) => upstream,
                Either::Left((Err(error), _)) => {
                    generated.failure = Some(Failure::Upstream(error));
                    return generated;
                }
                Either::Right(_) => {
                    generated.failure = Some(Failure::Interrupted);
                    return generated;
                }
            };
            loop {
                let event = match select(upstream.next(), &mut stopping).await {
                    Either::Left((Some(event), _)) => event,
                    Either::Left((None, _)) => break,
                    Either::Right(_) => {
                        generated.failure = Some(Failure::Interrupted);
                        break;
                    }
                };
                // A client that left no longer listens; generation goes on regardless.
                match event {
                    Ok(StreamEvent::Rerouted(model)) => {
                        events.send(TurnEvent::Rerouted(model)).await;
                    }
                    Ok(StreamEvent::Delta(text)) => {
                        if generated.content.is_empty() {
                            let after = self.ports.clock.now() - prepared.started_at;
                            self.ports.telemetry.first_token(
                                ProviderKind::of(&prepared.model),
                                after.to_std().unwrap_or_default(),
                            );
                        }
                        generated.content.push_str(&text);
                        events.send(TurnEvent::Delta(text)).await;
                    }
                    Ok(StreamEvent::ToolCalls(calls)) => {
                        events.send(TurnEvent::ToolCalls(calls)).await;
                    }
                    Ok(StreamEvent::Finished {
                        model,
                        usage,
                        finish_reason,
                    }) => {
                        generated.model = model;
                        generated.usage = usage;
                        generated.finish_reason = finish_reason;
                        break;
                    }
                    Err(error) => {
                        generated.failure = Some(Failure::Upstream(error));
                        break;
                    }
                }
            }
            generated
        };
        let (generated, saved) = join(follow, self.remember(&prepared)).await;
        let finished = self.finish(prepared, generated, saved).await;
        self.settle(claim, finished.kept.as_ref()).await;
        let last = match finished.result {
            Ok(turn) => TurnEvent::Done(Box::new(turn)),
            Err(error) => TurnEvent::Failed(error),
        };
        events.send(last).await;
        events.close();
    }

    /// Saves what was detected in the prompt, beside the model call.
    async fn remember(&self, prepared: &Prepared) -> Vec<crate::UserPreference> {
        let chat = prepared.chat.as_ref().map(|chat| chat.id);
        self.memory
            .remember(prepared.owner, chat, prepared.recall.detected.clone())
            .await
    }
}
