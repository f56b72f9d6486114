//! VFT3xx: the conversation — assistant turns, weights, tool replies.

pub mod all_weights_zero;
pub mod array_content_in_reply;
pub mod assistant_beyond_token_limit;
pub mod duplicate_tool_call_id;
pub mod example_over_token_limit;
pub mod identical_preference_outputs;
pub mod input_ends_with_assistant;
pub mod invalid_weight;
pub mod last_message_not_assistant;
pub mod last_message_not_user;
pub mod missing_assistant_message;
pub mod missing_system_message;
pub mod missing_user_message;
pub mod special_token_in_text;
pub mod unmatched_tool_call_id;
pub mod weight_outside_assistant;
