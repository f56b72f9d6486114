//! The registry: every rule, in code order, each numbered with its [`RuleId`].

use crate::diagnostic::RuleId;
use crate::rules::rule::Rule;
use crate::rules::{content, file, input, media, schema};

/// Every rule, in code order; a rule's [`RuleId`] is its index here.
pub static REGISTRY: &[Rule] = &numbered([
    input::invalid_utf8::RULE,
    input::invalid_json::RULE,
    input::example_not_object::RULE,
    input::blank_line::RULE,
    input::crlf_line_ending::RULE,
    input::unexpected_byte_order_mark::RULE,
    input::missing_byte_order_mark::RULE,
    input::duplicate_key::RULE,
    input::line_too_long::RULE,
    input::method_mismatch::RULE,
    input::cr_line_ending::RULE,
    schema::missing_messages::RULE,
    schema::empty_messages::RULE,
    schema::unknown_field::RULE,
    schema::wrong_field_type::RULE,
    schema::missing_field::RULE,
    schema::unknown_role::RULE,
    schema::developer_role::RULE,
    schema::unknown_content_part_type::RULE,
    schema::content_part_not_allowed::RULE,
    schema::unsupported_modality::RULE,
    schema::empty_content_array::RULE,
    schema::unsupported_tool_type::RULE,
    schema::invalid_function_name::RULE,
    schema::invalid_preference_output::RULE,
    schema::null_optional_field::RULE,
    schema::response_only_field::RULE,
    schema::invalid_tool_arguments::RULE,
    schema::tool_arguments_not_object::RULE,
    schema::undeclared_tool_call::RULE,
    schema::tool_arguments_mismatch::RULE,
    schema::invalid_tool_parameters::RULE,
    schema::duplicate_tool_name::RULE,
    media::image_outside_user_message::RULE,
    media::invalid_image_detail::RULE,
    media::unsupported_image_url::RULE,
    media::malformed_data_uri::RULE,
    media::invalid_base64::RULE,
    media::image_too_large::RULE,
    media::image_size_ambiguous::RULE,
    media::too_many_images::RULE,
    media::image_count_disputed::RULE,
    media::unverified_image_urls::RULE,
    media::unsupported_image_format::RULE,
    media::image_mime_mismatch::RULE,
    media::unsupported_color_mode::RULE,
    media::corrupt_image::RULE,
    media::animated_image::RULE,
    media::image_too_many_pixels::RULE,
    media::inaccessible_image_url::RULE,
    media::private_image_url::RULE,
    media::image_in_text_only_method::RULE,
    media::image_shows_face::RULE,
    media::image_needs_vision_model::RULE,
    content::missing_assistant_message::RULE,
    content::last_message_not_assistant::RULE,
    content::invalid_weight::RULE,
    content::weight_outside_assistant::RULE,
    content::all_weights_zero::RULE,
    content::unmatched_tool_call_id::RULE,
    content::array_content_in_reply::RULE,
    content::missing_system_message::RULE,
    content::missing_user_message::RULE,
    content::example_over_token_limit::RULE,
    content::assistant_beyond_token_limit::RULE,
    content::special_token_in_text::RULE,
    content::identical_preference_outputs::RULE,
    content::input_ends_with_assistant::RULE,
    content::last_message_not_user::RULE,
    content::duplicate_tool_call_id::RULE,
    file::too_few_examples::RULE,
    file::too_many_image_examples::RULE,
    file::file_too_large::RULE,
    file::file_too_large_for_simple_upload::RULE,
    file::too_many_skipped_image_examples::RULE,
    file::wrong_method::RULE,
    file::wrong_file_format::RULE,
    file::model_cannot_train_method::RULE,
]);

/// Gives each rule its index as its id.
const fn numbered<const N: usize>(mut rules: [Rule; N]) -> [Rule; N] {
    assert!(N < u16::MAX as usize, "rule ids are u16");
    let mut index = 0;
    while index < N {
        // Fits: checked above.
        #[allow(clippy::cast_possible_truncation)]
        let id = RuleId(index as u16);
        rules[index].meta.id = id;
        index += 1;
    }
    rules
}

/// Looks a rule up by code (`VFT101`, any case) or name (`missing-messages`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    REGISTRY
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// The rule with this id.
pub fn get(id: RuleId) -> &'static Rule {
    &REGISTRY[id.index()]
}
