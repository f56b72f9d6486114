//! VFT1xx: the structure of an example — keys, types, roles, content parts, tools.

pub mod content_part_not_allowed;
pub mod developer_role;
pub mod duplicate_tool_name;
pub mod empty_content_array;
pub mod empty_messages;
pub mod invalid_function_name;
pub mod invalid_preference_output;
pub mod invalid_tool_arguments;
pub mod invalid_tool_parameters;
pub mod missing_field;
pub mod missing_messages;
pub mod null_optional_field;
pub mod response_only_field;
pub mod shape;
pub mod tool_arguments_mismatch;
pub mod tool_arguments_not_object;
pub mod undeclared_tool_call;
pub mod unknown_content_part_type;
pub mod unknown_field;
pub mod unknown_role;
pub mod unsupported_modality;
pub mod unsupported_tool_type;
pub mod wrong_field_type;
