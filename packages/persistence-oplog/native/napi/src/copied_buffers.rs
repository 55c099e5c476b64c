//! Small byte strings returned to JavaScript as an array of Buffers that hold copies.

use napi::bindgen_prelude::{ToNapiValue, TypeName, ValueType};
use napi::sys;

/// Small byte strings returned as an array of Buffers that hold copies: for a few hundred bytes a
/// copy costs less than an external buffer with its finalizer.
pub struct CopiedBuffers(pub Vec<Vec<u8>>);

impl TypeName for CopiedBuffers {
    fn type_name() -> &'static str {
        "Array<Buffer>"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for CopiedBuffers {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let mut array = std::ptr::null_mut();
        let status = unsafe { sys::napi_create_array_with_length(env, val.0.len(), &mut array) };
        if status != sys::Status::napi_ok {
            return Err(napi::Error::from_reason("creating an array failed"));
        }
        for (index, bytes) in val.0.iter().enumerate() {
            let mut buffer = std::ptr::null_mut();
            let mut status = unsafe {
                sys::napi_create_buffer_copy(
                    env,
                    bytes.len(),
                    bytes.as_ptr().cast(),
                    std::ptr::null_mut(),
                    &mut buffer,
                )
            };
            if status == sys::Status::napi_ok {
                status = unsafe { sys::napi_set_element(env, array, index as u32, buffer) };
            }
            if status != sys::Status::napi_ok {
                return Err(napi::Error::from_reason("creating a buffer failed"));
            }
        }
        Ok(array)
    }
}
