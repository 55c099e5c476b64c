//! The one place where the engine's errors become JavaScript errors: a JS `Error` whose `code` is
//! the engine's code (ENOENT, CORRUPT, INTERNAL…) and whose message holds the cause chain.

use napi::bindgen_prelude::{ToNapiValue, TypeName, ValueType};
use napi::{JsError, sys};
use pond_oplog_engine::{Code, PondError, PondResult};

/// The error thrown synchronously by the non-async functions.
pub fn thrown(err: PondError) -> napi::Error<Code> {
    napi::Error::new(err.code, err.message)
}

/// The outcome of an async method. napi-rs only rejects promises with `napi::Error<Status>`, whose
/// JS `code` is a napi status name; so the error travels as a value and becomes a JS `Error` with
/// pond's `code` on the JS thread, where it is handed to napi as the rejection value itself.
pub struct Settled<T>(pub PondResult<T>);

impl<T> From<PondResult<T>> for Settled<T> {
    fn from(value: PondResult<T>) -> Self {
        Self(value)
    }
}

impl<T: TypeName> TypeName for Settled<T> {
    fn type_name() -> &'static str {
        T::type_name()
    }

    fn value_type() -> ValueType {
        T::value_type()
    }
}

impl<T: ToNapiValue> ToNapiValue for Settled<T> {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        match val.0 {
            Ok(value) => unsafe { T::to_napi_value(env, value) },
            Err(err) => {
                let js_error = unsafe { JsError::from(thrown(err)).into_value(env) };
                if js_error.is_null() {
                    return Err(napi::Error::from_reason("the environment is shutting down"));
                }
                let unknown = unsafe { napi::Unknown::from_raw_unchecked(env, js_error) };
                Err(napi::Error::from(unknown))
            }
        }
    }
}
