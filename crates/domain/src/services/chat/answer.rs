//! The one entry point of a turn, `ChatService::answer`: the guard, then admit → open
//! → context (these three overlap: the history and the memory recall are read beside
//! the checks and the prompt's store), then generate → finish, whole or streamed.

use std::sync::Arc;

use futures_channel::oneshot;
use futures_util::FutureExt as _;
use futures_util::future::try_join3;

use super::admit::{Admitted, parse};
use super::guard::Admission;
use super::open::{AnswerSlot, Opened};
use super::{
    ChatError, ChatService, ChatTarget, Conversation, Delivery, TurnOutput, TurnRequest, context,
    finish::advanced,
};
use crate::ports::{CompletionRequest, LlmProvider};
use crate::services::ServiceError;
use crate::services::memory::Recall;
use crate::timeline::Timeline;
use crate::usage::UsageRoute;
use crate::{Chat, Message, ModelName, Usage, UserId};
use chrono::{DateTime, Utc};

/// Everything ready for the model call; the user's message is already stored.
pub(super) struct Prepared {
    pub owner: UserId,
    pub chat: Option<Chat>,
    pub user_message: Option<Message>,
    pub answer: Message,
    pub slot: AnswerSlot,
    pub model: ModelName,
    pub recall: Recall,
    pub timeline: Timeline,
    /// The front door, for the usage ledger.
    pub route: UsageRoute,
    /// When the model call was about to start.
    pub started_at: DateTime<Utc>,
}

/// The model call of a prepared turn: the provider that answers for the model and
/// what it is asked.
pub(super) struct Call {
    pub provider: Arc<dyn LlmProvider>,
    pub request: CompletionRequest,
}

impl ChatService {
    /// Answers a turn. It runs as a task of its own: a client that goes away drops
    /// the wait, not the turn, so the answer is still stored and the idempotency key
    /// settled. Errors before generation (validation, limits, a missing key, an unknown
    /// chat or model, a store down) come back here; a stream's later ones as events.
    pub async fn answer(&self, request: TurnRequest) -> Result<TurnOutput, ChatError> {
        let (sender, receiver) = oneshot::channel();
        let service = self.clone();
        self.ports.tasks.spawn(Box::pin(async move {
            let _ = sender.send(Box::pin(service.turn(request)).await);
        }));
        receiver.await.unwrap_or_else(|_| {
            Err(ChatError::Service(ServiceError::Unknown(anyhow::anyhow!(
                "the turn ended without an answer"
            ))))
        })
    }

    async fn turn(&self, request: TurnRequest) -> Result<TurnOutput, ChatError> {
        let parsed = parse(&request)?;
        let claim = match self.guard(&request).await? {
            Admission::Replay(turn) => return Ok(TurnOutput::Replay(*turn)),
            Admission::Run(claim) => claim,
        };
        let slot = match self.take_slot(request.owner).await {
            Ok(slot) => slot,
            Err(error) => {
                self.settle(claim.as_ref(), None).await;
                return Err(error);
            }
        };
        let delivery = request.delivery;
        let prepared = self.hold(claim.as_ref(), self.prepare(request, parsed));
        let (prepared, call) = match self.occupy(slot.as_ref(), prepared).await {
            Ok(prepared) => prepared,
            Err(error) => {
                self.settle(claim.as_ref(), None).await;
                self.free(slot).await;
                return Err(error);
            }
        };
        match delivery {
            Delivery::Whole => {
                let generation = self.hold(claim.as_ref(), self.generate(prepared, call));
                let finished = Box::pin(self.occupy(slot.as_ref(), generation)).await;
                self.settle(claim.as_ref(), finished.kept.as_ref()).await;
                self.free(slot).await;
                finished.result.map(TurnOutput::Whole)
            }
            Delivery::Streamed => self
                .start_stream(prepared, call, claim, slot)
                .await
                .map(TurnOutput::Stream),
        }
    }

    /// Admit and open, with the chat's history and the memory recall read beside them.
    async fn prepare(
        &self,
        request: TurnRequest,
        parsed: super::admit::Parsed,
    ) -> Result<(Prepared, Call), ChatError> {
        let TurnRequest {
            owner,
            conversation,
            delivery,
            options,
            timeline,
            session_id,
            ..
        } = request;
        let target = conversation.chat();
        let route = conversation.usage_route();
        let opened = async {
            let admitted = self
                .admit(owner, target, &parsed, session_id.as_deref(), &timeline)
                .await?;
            let opened = self
                .open(&admitted, parsed.stored.as_ref(), delivery, &timeline)
                .await?;
            Ok::<_, ChatError>((admitted, opened))
        };
        let history = async {
            match (&conversation, target) {
                (Conversation::Prompt { .. }, Some(ChatTarget::Existing(id))) => {
                    let window = self.policy.history_window;
                    let read = self.ports.chats.messages(owner, *id, window, None);
                    timeline.time("history", read).await
                }
                _ => Ok(Vec::new()),
            }
        };
        let recall = async {
            match &parsed.memory {
                Some(query) => self.memory.recall(owner, query, &timeline).await,
                None => Recall::default(),
            }
        };
        let ((admitted, opened), history, recall) =
            try_join3(opened, history.map(Ok), recall.map(Ok)).await?;
        let Admitted {
            chat,
            model,
            provider,
            api_key,
            memory_enabled,
            ..
        } = admitted;
        // The recall ran beside the checks; a user who turned memory off gets none of
        // it, and nothing is learned.
        let recall = if memory_enabled {
            recall
        } else {
            Recall::default()
        };
        let Opened {
            user_message,
            answer,
            slot,
        } = opened;
        // Read beside the append, the history may already hold the prompt.
        let user_id = user_message.as_ref().map(|m| m.id);
        let history: Vec<Message> = history?
            .into_iter()
            .filter(|m| Some(m.id) != user_id)
            .collect();
        let input = context::input(
            conversation,
            &recall.used,
            &history,
            self.policy.context_token_budget,
        );
        let mut options = options;
        options.max_tokens = match (options.max_tokens, self.policy.max_tokens) {
            (Some(asked), Some(cap)) => Some(asked.min(cap)),
            (asked, cap) => asked.or(cap),
        };
        // The user's message is counted now; the answer when it is finished.
        let at = user_message
            .as_ref()
            .map_or(answer.created_at, |m| m.created_at);
        let chat = chat.map(|chat| match &user_message {
            Some(_) => advanced(chat, Usage::default(), at),
            None => chat,
        });
        let prepared = Prepared {
            owner,
            chat,
            user_message,
            answer,
            slot,
            model: model.clone(),
            recall,
            timeline,
            route,
            started_at: self.ports.clock.now(),
        };
        let request = CompletionRequest {
            model,
            input,
            api_key,
            options,
        };
        Ok((prepared, Call { provider, request }))
    }
}
